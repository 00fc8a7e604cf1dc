// Running an app from a shell: Netcgi_test's options turned into a test request.
import { existsSync, writeFileSync } from 'node:fs';
import { serializeCgiHead } from '../output/response-head.js';
import type { App, RunOptions } from '../process-request.js';
import type { TestFile } from './request-builder.js';
import { runInMemory, type InMemoryRequest } from './run-in-memory.js';

/** The usage text of the command-line runner. */
export const usage = `usage: netcgi-test APP_MODULE [options] [name=value ...]
Runs the app once on a request built from the options and prints its CGI response.
  -get | -head | -post | -delete   request method (default -get; name=value pairs go
                                   into the query string, or the body for -post)
  -put FILE                        PUT with the content of FILE as the body
  -filearg NAME=FILE               upload FILE as argument NAME (with -post)
  -mimetype TYPE                   content type of the next -filearg and -put
                                   (default application/octet-stream)
  -url PATH                        request path and query (default /)
  -header NAME=VALUE               a request header
  -prop NAME=VALUE                 a CGI property, e.g. -prop HTTPS=on
  -user NAME                       REMOTE_USER=NAME and AUTH_TYPE=Basic
  -o FILE                          write the response to FILE (default: stdout)
  -help                            this text`;

/** Where the command line writes. */
export interface CommandLineIo {
  readonly stdout: (bytes: Buffer | string) => void;
  readonly stderr: (text: string) => void;
}

/** A usage error: the message says which argument is wrong. */
export class UsageError extends Error {}

/**
 * Parses Netcgi_test-style arguments into a test request.
 * @throws UsageError on an unknown option or a malformed `name=value`.
 */
export function parseCommandLine(args: readonly string[]): InMemoryRequest & { outputFile?: string; help?: boolean } {
  let method: string | undefined;
  let mimeType = 'application/octet-stream';
  let url = '/';
  let outputFile: string | undefined;
  let body: InMemoryRequest['body'];
  const form: [string, string][] = [];
  const files: Record<string, TestFile[]> = {};
  const headers: Record<string, string> = {};
  const env: Record<string, string> = {};
  const takeValue = (option: string, index: number): string => {
    const value = args[index];
    if (value === undefined) throw new UsageError(`${option} needs a value`);
    return value;
  };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    const option = arg.replace(/^--/, '-');
    switch (option) {
      case '-help': case '-h': return { help: true };
      case '-get': case '-head': case '-post': case '-delete': method = option.slice(1).toUpperCase(); break;
      case '-put': method = 'PUT'; body = { path: existingFile(option, takeValue(option, ++index)) }; headers['content-type'] = mimeType; break;
      case '-mimetype': mimeType = takeValue(option, ++index); break;
      case '-url': url = takeValue(option, ++index); break;
      case '-o': outputFile = takeValue(option, ++index); break;
      case '-user': env.REMOTE_USER = takeValue(option, ++index); env.AUTH_TYPE = 'Basic'; break;
      case '-header': { const [name, value] = splitPair(option, takeValue(option, ++index)); headers[name] = value; break; }
      case '-prop': { const [name, value] = splitPair(option, takeValue(option, ++index)); env[name] = value; break; }
      case '-filearg': {
        const [name, path] = splitPair(option, takeValue(option, ++index));
        (files[name] ??= []).push({ content: { path: existingFile(option, path) }, contentType: mimeType });
        break;
      }
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
        form.push(splitPair('an argument', arg));
    }
  }
  if (Object.keys(files).length > 0 && method !== 'POST') throw new UsageError('-filearg needs -post');
  return {
    method: method ?? 'GET', url, headers, env, form,
    ...(Object.keys(files).length > 0 ? { files } : {}),
    ...(body !== undefined ? { body } : {}),
    ...(outputFile !== undefined ? { outputFile } : {}),
  };
}

/**
 * Runs `app` once on the request the arguments describe and writes the CGI response.
 * Resolves to the exit status: 0, or 2 on a usage error.
 */
export async function runCommandLine(app: App, args: readonly string[], options: RunOptions = {}, io: CommandLineIo = processIo): Promise<number> {
  let request: ReturnType<typeof parseCommandLine>;
  try {
    request = parseCommandLine(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`netcgi-test: ${error.message}\n${usage}\n`);
    return 2;
  }
  if (request.help === true) {
    io.stdout(`${usage}\n`);
    return 0;
  }
  const { head, body, log } = await runInMemory(app, { ...options, ...request });
  for (const line of log) io.stderr(`${line}\n`);
  const output = head === undefined ? body : Buffer.concat([Buffer.from(serializeCgiHead(head)), body]);
  if (request.outputFile === undefined || request.outputFile === '-') io.stdout(output);
  else writeFileSync(request.outputFile, output);
  return 0;
}

const processIo: CommandLineIo = {
  stdout: (bytes) => process.stdout.write(bytes),
  stderr: (text) => process.stderr.write(text),
};

function existingFile(option: string, path: string): string {
  if (!existsSync(path)) throw new UsageError(`${option}: no file ${path}`);
  return path;
}

function splitPair(what: string, text: string): [string, string] {
  const equals = text.indexOf('=');
  if (equals <= 0) throw new UsageError(`${what} "${text}" must be of the form name=value`);
  return [text.slice(0, equals).trim(), text.slice(equals + 1).trim()];
}
