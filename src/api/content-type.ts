import { ApiError } from './api-error.js';
import { parseJsonPayload } from './json-payload.js';
import { unboundParameter } from './system-params.js';

/** `application/json` and the `+json` types (`application/merge-patch+json`), with any parameters. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json$/i;

/**
 * A request body by its Content-Type. JSON (or no type at all, as googleapis sends) is parsed as JSON. A
 * form (`curl -d` without `-H 'Content-Type: application/json'`) is read the way Google's front end reads
 * one, as more query parameters, none of which a method of this API binds, so each is refused by name
 * (`Unknown name "{\\"resources\\": …}": Cannot bind query parameter. …`, as public reports of Google APIs'
 * answers show). Any other type is refused: this API's bodies are JSON.
 */
export function readJsonBody(contentType: string | undefined, text: string): unknown {
  const mediaType = contentType?.split(';')[0]!.trim() ?? '';
  if (mediaType === '' || JSON_MEDIA_TYPE.test(mediaType)) return parseJsonPayload(text);
  if (mediaType.toLowerCase() === 'application/x-www-form-urlencoded') {
    const names = [...new URLSearchParams(text).keys()];
    if (names.length === 0) return {};
    throw ApiError.badRequest(names.map(unboundParameter));
  }
  throw new ApiError('INVALID_ARGUMENT', `Unsupported Content-Type "${mediaType}": the body of this method is JSON (application/json).`);
}
