import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseTraceParent } from './trace-parent.js';
import { tracer } from './tracer.js';

const spans = new WeakMap<FastifyRequest, Span>();

/**
 * One SERVER span per HTTP request, named `METHOD /route` once the route is known, with the request id and
 * the answer's status. A client's `traceparent` header makes it a child of the client's span. Registered
 * only when tracing is on: these hooks then run on every request, including polls.
 */
export function registerHttpSpans(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const remote = parseTraceParent(request.headers.traceparent as string | undefined);
    const parent = remote ? trace.setSpanContext(context.active(), remote) : context.active();
    spans.set(
      request,
      tracer().startSpan(
        request.method,
        {
          kind: SpanKind.SERVER,
          attributes: { 'http.request.method': request.method, 'url.path': request.url.split('?')[0]!, 'dataport.request_id': request.id },
        },
        parent,
      ),
    );
    done();
  });
  // The handler and everything it awaits run with the request's span active, so the spans it makes (the job
  // service's, the queue's) are its children. preHandler is the last hook before the handler, and Fastify calls
  // the handler from within `done`; the request body, read before, is not in the span's context otherwise.
  app.addHook('preHandler', (request, _reply, done) => {
    const span = spans.get(request);
    if (!span) return done();
    context.with(trace.setSpan(context.active(), span), done);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    if (span) {
      const route = request.routeOptions.url?.replaceAll('::', ':');
      if (route) span.updateName(`${request.method} ${route}`).setAttribute('http.route', route);
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      spans.delete(request);
    }
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    const span = spans.get(request);
    if (span) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'client closed the connection' }).end();
      spans.delete(request);
    }
    done();
  });
}
