import { describe, expect, it } from 'vitest';
import { parseRouteName } from '../../../src/add/route-name.js';
import { renderRouteFile, renderRouteTest } from '../../../src/add/route-template.js';

const route = parseRouteName('order-items');

describe('the route template', () => {
  it('exports the factory and schema under their names, and leaves no token behind', () => {
    const source = renderRouteFile(route);
    expect(source).toContain('export function orderItemsRoutes({ db, upstream }');
    expect(source).toContain("validate('param', orderItemsParams)");
    expect(source).toContain('GET /order-items/:id');
    expect(source).toContain('upstream.getJson(`/data/order-items-${id}`, { deadline, requestId })');
    expect(source).toMatch(/db\.query<Row>\(.*\[id\], deadline\.signal\)/);
    expect(source).not.toMatch(/\{\{|\}\}/);
  });

  it('tests the route at its prefix through the typed client and over fetch', () => {
    const source = renderRouteTest(route);
    expect(source).toContain("client['order-items'][':id'].$get({ param: { id: '42' } })");
    expect(source).toContain('fetch(`${target.url}/order-items/abc`)');
    expect(source).toContain("upstream: { path: '/data/order-items-42' }");
    expect(source).not.toMatch(/\{\{|\}\}/);
  });
});
