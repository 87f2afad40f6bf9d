import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from './support/test-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startTestUpstream, type TestUpstream } from './support/test-upstream.js';

let upstream: TestUpstream;
let target: TestApp;

beforeAll(async () => {
  upstream = await startTestUpstream();
  target = await startTestApp({ databaseUrl: testDatabaseUrl(), upstreamUrl: upstream.url, bodyLimitBytes: 1_024 });
});

afterAll(async () => {
  await target?.close();
  await upstream?.close();
});

const postJson = (body: string): Promise<Response> =>
  fetch(`${target.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('POST /echo', () => {
  it('sends back what the schema keeps of a valid body', async () => {
    const response = await postJson('{"message":"hello","tags":["a","b"],"extra":true}');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ echo: { message: 'hello', tags: ['a', 'b'] } });
  });

  it('answers a body that does not match with a JSON 400 listing every failing field', async () => {
    const response = await postJson(JSON.stringify({ message: '', tags: ['ok', 7] }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { fields: Array<{ field: string; message: string }> };
    expect(body).toMatchObject({
      error: 'validation_failed',
      message: "The request's JSON body is invalid.",
      requestId: response.headers.get('x-request-id'),
    });
    expect(body.fields.map((field) => field.field)).toEqual(['message', 'tags.1']);
    for (const field of body.fields) expect(field.message).toMatch(/\w/);
  });

  it('answers a missing field and a body that is not an object with a 400 naming where', async () => {
    const missing = await postJson('{}');
    expect(await missing.json()).toMatchObject({ error: 'validation_failed', fields: [{ field: 'message' }] });
    const notAnObject = await postJson('"hello"');
    expect(await notAnObject.json()).toMatchObject({ error: 'validation_failed', fields: [{ field: '' }] });
  });

  it('answers malformed JSON with a JSON 400 that names the request', async () => {
    const response = await postJson('{"hello":');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'bad_request',
      message: 'Malformed JSON in request body',
      requestId: response.headers.get('x-request-id'),
    });
  });

  it('refuses a body over the limit with a JSON 413 before parsing it', async () => {
    const response = await postJson(JSON.stringify({ message: 'x'.repeat(2_048) }));
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: 'payload_too_large' });
  });
});
