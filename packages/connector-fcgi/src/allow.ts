// Which peers may talk to the application: FCGI_WEB_SERVER_ADDRS (FastCGI §3.2).
import { isIP } from 'node:net';

/**
 * Parses an allow list. An empty list allows every peer.
 * @throws Error naming the first entry that is not an IP address (the seed silently allowed everyone).
 */
export function parseAllowList(entries: Iterable<string>, source: string): ReadonlySet<string> {
  const addresses = new Set<string>();
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === '') continue;
    if (isIP(entry) === 0) throw new Error(`${source}: "${entry}" is not an IP address`);
    addresses.add(normalizeAddress(entry));
  }
  return addresses;
}

/** The allow list from FCGI_WEB_SERVER_ADDRS: comma-separated addresses, unset or empty for all. */
export function allowListFromEnvironment(value: string | undefined): ReadonlySet<string> {
  return parseAllowList((value ?? '').split(','), 'FCGI_WEB_SERVER_ADDRS');
}

/** True when a peer may connect. Unix-socket peers have no address and are always allowed. */
export function isAllowed(allow: ReadonlySet<string>, remoteAddress: string | undefined): boolean {
  if (allow.size === 0 || remoteAddress === undefined) return true;
  return allow.has(normalizeAddress(remoteAddress));
}

/** `::ffff:127.0.0.1` (an IPv4 peer on a dual-stack socket) is `127.0.0.1`. */
function normalizeAddress(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4 ? lower.slice(7) : lower;
}
