export { runAddRoute, type AddRouteOptions } from './add-route.js';
export { mountRoute } from './mount-route.js';
export { parseRouteName, type RouteName } from './route-name.js';
export { renderRouteFile, renderRouteTest, routeFiles } from './route-template.js';
