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
  it('sends a JSON body back', async () => {
    const response = await postJson('{"hello":["world",1]}');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ echo: { hello: ['world', 1] } });
  });

  it('answers malformed JSON with a JSON 400 that names the request', async () => {
    const response = await postJson('{"hello":');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'bad_request',
      message: 'The request body is not valid JSON.',
      requestId: response.headers.get('x-request-id'),
    });
  });

  it('refuses a body over the limit with a JSON 413 before parsing it', async () => {
    const response = await postJson(JSON.stringify({ text: 'x'.repeat(2_048) }));
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: 'payload_too_large' });
  });
});
