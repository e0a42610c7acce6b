import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchFormatError, boundaryOf, parseEmbeddedRequest, parseMultipart } from '../../../src/api/batch-multipart.js';

const BOUNDARY = '===============7330845974216740156==';
/** Any bytes, one character each (the codec reads bodies as latin1). */
const bytes = (maxLength: number) => fc.string({ unit: fc.nat(255).map((c) => String.fromCharCode(c)), maxLength });

describe('batch multipart codec', () => {
  it('any body: parts or a BatchFormatError, never another exception', () => {
    fc.assert(
      fc.property(bytes(400), fc.boolean(), (noise, framed) => {
        const text = framed ? `--b\n${noise}\n--b--` : noise;
        try {
          parseMultipart(Buffer.from(text, 'latin1'), 'b', 5);
        } catch (error) {
          expect(error).toBeInstanceOf(BatchFormatError);
        }
        try {
          parseEmbeddedRequest(noise);
        } catch (error) {
          expect(error).toBeInstanceOf(BatchFormatError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('parts written with LF or CRLF, with or without a preamble, come back byte for byte', () => {
    // A body ending in CR before an LF delimiter is ambiguous in any MIME reader; none contains the delimiter.
    const content = bytes(200).filter((s) => !s.includes(`--${BOUNDARY}`) && !s.endsWith('\r'));
    fc.assert(
      fc.property(fc.array(content, { minLength: 1, maxLength: 6 }), fc.constantFrom('\n', '\r\n'), fc.boolean(), (bodies, eol, preamble) => {
        const parts = bodies.map((b, i) => `--${BOUNDARY}${eol}Content-Type: application/http${eol}Content-ID: <${i}>${eol}${eol}${b}`);
        const text = `${preamble ? `preamble${eol}` : ''}${parts.join(eol)}${eol}--${BOUNDARY}--${eol}`;
        const parsed = parseMultipart(Buffer.from(text, 'latin1'), BOUNDARY, 10);
        expect(parsed.map((p) => p.headers['content-id'])).toEqual(bodies.map((_, i) => `<${i}>`));
        expect(parsed.map((p) => p.body)).toEqual(bodies);
      }),
      { numRuns: 500 },
    );
  });

  it('reads a request as Google’s Python client serializes it', () => {
    const call = parseEmbeddedRequest(
      'POST /v1/portabilityArchive:initiate?alt=json HTTP/1.1\nContent-Type: application/json\nMIME-Version: 1.0\n' +
        'accept: application/json\nauthorization: Bearer abc\nHost: localhost:8080\ncontent-length: 33\n\n{"resources": ["myactivity.maps"]}',
    );
    expect(call).toMatchObject({ method: 'POST', target: '/v1/portabilityArchive:initiate?alt=json' });
    expect(call.headers.authorization).toBe('Bearer abc');
    // content-length bounds the body: the last byte here is past it.
    expect(call.body.toString()).toBe('{"resources": ["myactivity.maps"]');
  });

  it('finds the boundary quoted or not, and none where there is none', () => {
    expect(boundaryOf(`multipart/mixed; boundary="${BOUNDARY}"`)).toBe(BOUNDARY);
    expect(boundaryOf('multipart/mixed; charset=utf-8; boundary=batch_abc')).toBe('batch_abc');
    expect(boundaryOf('multipart/mixed')).toBeUndefined();
    expect(boundaryOf(undefined)).toBeUndefined();
  });

  it('stops at the part after the limit', () => {
    const text = `${Array.from({ length: 4 }, () => `--b\nContent-Type: application/http\n\nGET /v1/x`).join('\n')}\n--b--`;
    expect(parseMultipart(Buffer.from(text), 'b', 4)).toHaveLength(4);
    expect(() => parseMultipart(Buffer.from(text), 'b', 3)).toThrow('at most 3 calls');
  });
});
