// What the FastCGI connector adds to Cgi: the role and, for a Filter, the FCGI_DATA stream.
import { Readable } from 'node:stream';
import type { Cgi } from '@netcgi/core';
import { RequestCgi, type CgiInit } from '@netcgi/core/connector';
import { Role } from './protocol/index.js';

/** The FastCGI role of a request (FastCGI §6). */
export type FcgiRole = 'responder' | 'authorizer' | 'filter';

/** The Cgi of a request that came through FastCGI. */
export interface FcgiCgi extends Cgi {
  /**
   * `responder` answers the request; `authorizer` answers 200 to let the web server go on (its
   * `Variable-NAME: value` header fields reach the server's environment) or any other status to
   * answer the client itself; `filter` transforms the file in {@link data}.
   */
  readonly role: FcgiRole;
  /** A Filter's file (the FCGI_DATA stream, read after the body); an empty stream for other roles. */
  readonly data: Readable;
  /** A Filter's FCGI_DATA_LENGTH, or 0. */
  readonly dataLength: number;
  /** A Filter's FCGI_DATA_LAST_MOD, seconds since the epoch, or 0. */
  readonly dataMtime: number;
}

/** The role names, by the number in BEGIN_REQUEST. */
export const roleNames: ReadonlyMap<number, FcgiRole> = new Map([
  [Role.Responder, 'responder'],
  [Role.Authorizer, 'authorizer'],
  [Role.Filter, 'filter'],
]);

/** The core's Cgi with the FastCGI powers: one class, so every request's Cgi has one shape. */
export class FcgiRequestCgi extends RequestCgi implements FcgiCgi {
  readonly role: FcgiRole;
  #data: Readable | undefined;

  constructor(init: CgiInit, role: FcgiRole, data: Readable | undefined) {
    super(init);
    this.role = role;
    this.#data = data;
  }

  get data(): Readable {
    // Other roles get their empty stream only if the app asks: no Readable per request for nothing.
    this.#data ??= Readable.from([]);
    return this.#data;
  }

  get dataLength(): number {
    return numberOrZero(this.environment.property('FCGI_DATA_LENGTH', ''));
  }

  get dataMtime(): number {
    return numberOrZero(this.environment.property('FCGI_DATA_LAST_MOD', ''));
  }
}

function numberOrZero(text: string): number {
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) && value >= 0 ? value : 0;
}
