import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { googleErrorOf, startDataport, type TestDataport } from '../helpers/dataport.js';

/** What Google's front end answers before a method runs: unknown names, wrong kinds, non-JSON bodies. */
describe("requests are read as strictly as Google's front end reads them", () => {
  let dp: TestDataport;
  beforeAll(async () => {
    dp = await startDataport({ DATAPORT_DEMO_RECORDS: '5' });
  });
  afterAll(async () => dp.close());

  const badRequest = (...descriptions: { field?: string; description: string }[]) => ({
    code: 400,
    status: 'INVALID_ARGUMENT',
    message: descriptions.map((d) => d.description).join('\n'),
    details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: descriptions }],
  });

  it('a misspelt field (starttime) → 400 "Unknown name … Cannot find field." with a BadRequest detail, and no job is created', async () => {
    const { api } = await dp.client({ user: 'ann', resources: ['myactivity.maps'] });
    const e = await googleErrorOf(
      api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.maps'], starttime: '2026-01-01T00:00:00Z' } as never }),
    );
    expect(e.status).toBe(400);
    expect(e.error).toEqual(badRequest({ description: 'Invalid JSON payload received. Unknown name "starttime": Cannot find field.' }));
    // The one-time export of the group is unused: the refused request changed nothing.
    const ok = await api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.maps'] } });
    expect(ok.status).toBe(200);
  });

  it('snake_case and lowerCamel names are both read; an unknown name inside a field is named with its path', async () => {
    const { api } = await dp.client({ user: 'ben', resources: ['chrome.history', 'myactivity.search'], access: '30d' });
    const snake = await api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'], start_time: '2026-01-01T00:00:00Z' } as never });
    expect(snake.status).toBe(200);
    const nested = await googleErrorOf(
      api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.search'], startTime: { seconds: 1, nano: 5 } } as never }),
    );
    expect(nested.error).toEqual(
      badRequest({ field: 'start_time', description: 'Invalid JSON payload received. Unknown name "nano" at \'start_time\': Cannot find field.' }),
    );
  });

  it('wrong kinds and bad timestamps get Google\'s "Invalid value at" wording, every problem at once; no schema library\'s text', async () => {
    const { api } = await dp.client({ user: 'cat', resources: ['myactivity.search'], access: '30d' });
    const e = await googleErrorOf(
      api.portabilityArchive.initiate({
        requestBody: { resources: ['myactivity.search', 7], startTime: 'yesterday', endTime: 5, extra: true } as never,
      }),
    );
    expect(e.status).toBe(400);
    expect(e.error).toEqual(
      badRequest(
        { field: 'resources[1]', description: "Invalid value at 'resources[1]' (TYPE_STRING), 7" },
        {
          field: 'start_time',
          description:
            "Invalid value at 'start_time' (type.googleapis.com/google.protobuf.Timestamp), Field 'startTime', Illegal timestamp format; timestamps must end with 'Z' or have a valid timezone offset.",
        },
        {
          field: 'end_time',
          description:
            "Invalid value at 'end_time' (type.googleapis.com/google.protobuf.Timestamp), Field 'endTime', Invalid data type for timestamp, value is 5",
        },
        { description: 'Invalid JSON payload received. Unknown name "extra": Cannot find field.' },
      ),
    );
    const list = await googleErrorOf(api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.search'], endTime: [] } as never }));
    expect(list.error.message).toBe('Invalid JSON payload received. Unknown name "endTime": Proto field is not repeating, cannot start list.');
    const object = await googleErrorOf(api.portabilityArchive.initiate({ requestBody: { resources: {} } as never }));
    expect(object.error.message).toBe('Invalid value (resources), Starting an object on a scalar field');
    // Lower-case 't' and 'z' are not RFC 3339 as Google reads it.
    const lower = await googleErrorOf(
      api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.search'], startTime: '2026-01-01t00:00:00z' } }),
    );
    expect(lower.error.message).toContain('Illegal timestamp format');
    for (const err of [e, list, object, lower]) expect(err.error.message).not.toMatch(/Invalid input|expected|received undefined/);
  });

  it("the methods whose request is empty refuse any field; retry and cancel take their job's name again", async () => {
    const { api } = await dp.client({ user: 'dan', resources: ['play.library'] });
    const check = await googleErrorOf(api.accessType.check({ requestBody: { verbose: true } }));
    expect(check.error).toEqual(badRequest({ description: 'Invalid JSON payload received. Unknown name "verbose": Cannot find field.' }));
    const reset = await googleErrorOf(api.authorization.reset({ requestBody: { all: true } }));
    expect(reset.error.message).toBe('Invalid JSON payload received. Unknown name "all": Cannot find field.');
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['play.library'] } });
    const name = `archiveJobs/${job.archiveJobId}`;
    const retry = await googleErrorOf(api.archiveJobs.retry({ name, requestBody: { force: true } }));
    expect(retry.error.message).toBe('Invalid JSON payload received. Unknown name "force": Cannot find field.');
    // Past the body, the job's own rule answers: it is not FAILED.
    const named = await googleErrorOf(api.archiveJobs.retry({ name, requestBody: { name } }));
    expect(named.error.status).toBe('FAILED_PRECONDITION');
  });

  it("a body that is not JSON, or not an object → Google's parser wording with the place marked", async () => {
    const { token } = await dp.client({ user: 'eve', resources: ['myactivity.search'] });
    const post = async (body: string, type = 'application/json') => {
      const res = await fetch(`${dp.url}/v1/portabilityArchive:initiate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': type },
        body,
      });
      return { status: res.status, error: ((await res.json()) as { error: { message: string; details: unknown[] } }).error };
    };
    const token_ = await post('{"resources": [nope]}');
    expect(token_.status).toBe(400);
    expect(token_.error.message).toBe('Invalid JSON payload received. Unexpected token.\n{"resources": [nope]}\n               ^');
    expect(token_.error.details).toEqual([{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ description: token_.error.message }] }]);
    const truncated = await post('{"resources": [');
    expect(truncated.error.message).toBe(
      'Invalid JSON payload received. Unexpected end of string. Expected a value or ] within an array.\n{"resources": [\n               ^',
    );
    const trailing = await post('{} {}');
    expect(trailing.error.message).toBe('Invalid JSON payload received. Parsing terminated before end of input.\n{} {}\n   ^');
    for (const root of ['[]', '"x"', 'null', '1']) {
      expect((await post(root)).error.message, root).toBe('Invalid JSON payload received. Unknown name "": Root element must be a message.');
    }
  });

  it("a non-JSON Content-Type is refused; a form is read as query parameters, as Google's front end does; no body and no type is {}", async () => {
    const { token } = await dp.client({ user: 'fay', resources: ['myactivity.search'] });
    const send = (headers: Record<string, string>, body?: string) =>
      fetch(`${dp.url}/v1/accessType:check`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, ...headers },
        ...(body === undefined ? {} : { body }),
      });
    const plain = await send({ 'content-type': 'text/plain' }, '{}');
    expect(plain.status).toBe(400);
    expect(((await plain.json()) as any).error).toMatchObject({ status: 'INVALID_ARGUMENT', message: expect.stringContaining('text/plain') });
    const form = await send({ 'content-type': 'application/x-www-form-urlencoded' }, '{"a":1}');
    expect(form.status).toBe(400);
    expect(((await form.json()) as any).error.message).toBe(
      'Invalid JSON payload received. Unknown name "{"a":1}": Cannot bind query parameter. Field \'{"a":1}\' could not be found in request message.',
    );
    const json = await send({ 'content-type': 'application/json; charset=utf-8' }, '{}');
    expect(json.status).toBe(200);
    await json.body?.cancel();
    // googleapis sends `{}` methods as a POST without a body or a content type.
    const bare = await send({});
    expect(bare.status).toBe(200);
    expect(await bare.json()).toEqual({ oneTimeResources: ['myactivity.search'] });
  });

  it('an unknown query parameter → 400 "Cannot bind query parameter"; Google\'s system parameters keep working', async () => {
    const { api, token } = await dp.client({ user: 'gus', resources: ['chrome.history'] });
    const e = await googleErrorOf(api.accessType.check({ foo: 'bar' } as never));
    expect(e.status).toBe(400);
    expect(e.error).toEqual(
      badRequest({
        description: 'Invalid JSON payload received. Unknown name "foo": Cannot bind query parameter. Field \'foo\' could not be found in request message.',
      }),
    );
    const system = await api.accessType.check({
      key: 'k',
      quotaUser: 'q',
      fields: 'oneTimeResources',
      prettyPrint: false,
      uploadType: 'media',
      upload_protocol: 'raw',
      '$.xgafv': '2',
      alt: 'json',
    } as never);
    expect(system.data).toEqual({ oneTimeResources: ['chrome.history'] });
    const viaQuery = await fetch(`${dp.url}/v1/accessType:check?oauth_token=${token}&%24.xgafv=1`, { method: 'POST' });
    expect(viaQuery.status).toBe(200);
    await viaQuery.body?.cancel();
    for (const alt of ['media', 'proto']) {
      const refused = await googleErrorOf(api.accessType.check({ alt } as never));
      expect(refused.status, alt).toBe(400);
      expect(refused.error.status).toBe('INVALID_ARGUMENT');
    }
  });

  it("callback=<name> answers as Google's JSONP does, errors included", async () => {
    const { token } = await dp.client({ user: 'hal', resources: ['chrome.history'] });
    const ok = await fetch(`${dp.url}/v1/accessType:check?callback=app.got&prettyPrint=false`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/javascript; charset=UTF-8');
    expect(await ok.text()).toBe('// API callback\napp.got({"oneTimeResources":["chrome.history"]});');
    const failed = await fetch(`${dp.url}/v1/archiveJobs/nope/portabilityArchiveState?callback=cb&prettyPrint=false`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(failed.status).toBe(404);
    expect(await failed.text()).toMatch(/^\/\/ API callback\ncb\(\{"error":\{"code":404,.*\}\}\);$/);
    const refused = await fetch(`${dp.url}/v1/accessType:check?callback=alert(1)`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(refused.status).toBe(400);
    await refused.body?.cancel();
  });
});
