import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors, isLoftError, LoftError, type FieldError } from '../errors.js';

export interface ErrorRenderer {
  /** Writes the error in the protocol's format (JSON for REST; WebDAV adds XML later). */
  render(reply: FastifyReply, err: LoftError): void;
}

export const jsonRenderer: ErrorRenderer = {
  render(reply, err) {
    if (err.headers) for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
    void reply
      .status(err.status)
      .type('application/json; charset=utf-8')
      .send({
        error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) },
      });
  },
};

/** Maps whatever was thrown to one catalogue error. Unknown errors become a logged 500. */
export function toLoftError(err: unknown, req: FastifyRequest): LoftError {
  if (isLoftError(err)) return err;
  const e = err as FastifyError & {
    validation?: { instancePath?: string; params?: Record<string, unknown>; message?: string }[];
  };
  if (e.validation) {
    const fields: FieldError[] = e.validation.map((v) => {
      const missing = v.params?.missingProperty as string | undefined;
      const field = [e.validationContext, ...(v.instancePath ?? '').split('/').filter(Boolean), missing]
        .filter(Boolean)
        .join('.');
      return {
        field: field || String(e.validationContext ?? 'request'),
        code: 'invalid',
        message: v.message ?? 'is invalid',
      };
    });
    return errors.validation(
      `Invalid request ${e.validationContext ?? 'input'}: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`,
      fields,
    );
  }
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return errors.badRequest('The body length does not match its Content-Length.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new LoftError('unsupported_media_type', 'Unsupported Content-Type for this endpoint.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new LoftError('payload_too_large', 'The request body is too large.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errors.badRequest('The JSON body is empty.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return errors.badRequest('The body is not valid JSON.');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new LoftError('unsupported_media_type', 'Send files as multipart/form-data.');
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new LoftError('payload_too_large', e.message);
    case 'FST_PROTO_VIOLATION':
      return errors.badRequest('Malformed request.');
    case 'FST_ERR_BAD_URL':
      return errors.badRequest('The URL is not valid (bad percent-encoding).');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return errors.badRequest('A part of the URL is too long.');
  }
  if (
    e.name === 'SyntaxError' ||
    (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500)
  ) {
    return errors.badRequest(e.message || 'Malformed request.');
  }
  if (e.code === 'ERR_STREAM_PREMATURE_CLOSE' || e.code === 'ECONNRESET' || e.message === 'aborted') {
    return errors.badRequest('The request was interrupted.');
  }
  req.log.error({ err }, 'unhandled error');
  return new LoftError('internal_error', 'Something went wrong on our side. It has been logged.');
}

/** Fastify's `frameworkErrors`: errors raised before routing (a URL that does not decode) get the same shape. */
export function renderFrameworkError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  jsonRenderer.render(reply, toLoftError(err, req));
}

/**
 * Fastify's `clientErrorHandler`: requests Node's parser refuses (a Content-Length of -1 or "abc",
 * a malformed header, headers over the size limit) never reach a route, but still get a catalogue error.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const e = errors.badRequest(
    err.code === 'HPE_HEADER_OVERFLOW' ? 'The request headers are too large.' : 'Malformed HTTP request.',
  );
  const body = JSON.stringify({ error: { code: e.code, message: e.message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${e.status} Bad Request\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

export function installErrorHandling(
  app: FastifyInstance,
  renderer: ErrorRenderer = jsonRenderer,
  /** A plugin scope shares its parent's not-found handler; only the root sets one. */
  opts: { notFound: boolean } = { notFound: true },
): void {
  app.setErrorHandler(async (err, req, reply) => {
    const loft = toLoftError(err, req);
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.destroy();
      return reply;
    }
    drainBody(req, reply);
    renderer.render(reply, loft);
    return reply;
  });
  if (!opts.notFound) return;
  app.setNotFoundHandler(async (req, reply) => {
    drainBody(req, reply);
    renderer.render(
      reply,
      new LoftError('not_found', `No route for ${req.method} ${req.url.split('?')[0]}.`),
    );
  });
}

/**
 * A request refused before its body was read (507 on a known length, 401, 404) may still have bytes
 * on the wire. The answer goes out at once (a client may wait for it before sending), the rest of the
 * body is read and dropped, and the connection is kept until then: closed early, it would reset a
 * client that is still sending, and that client would never see the answer.
 */
function drainBody(req: FastifyRequest, reply: FastifyReply): void {
  if (req.raw.readableEnded || req.raw.destroyed) return;
  reply.raw.shouldKeepAlive = true;
  req.raw.resume();
}
