/**
 * The page's own script (runs in the browser, after uPlot's): draws each scenario's charts from
 * `REPORT` (see chartData in html-report.ts) and marks the body with how many it drew, which the
 * headless-browser test reads. Plain ES5-style JavaScript: no build step between here and the page.
 */
export const CHARTS_SCRIPT = String.raw`
(function () {
  var W = 560, H = 230, drawn = 0;
  var C = { p50: '#0969da', p99: '#cf222e', req: '#1a7f37', err: '#cf222e', rss: '#8250df', cpu: '#bf8700', loop: '#0969da', pool: '#cf222e', pending: '#1a7f37' };
  var DASH = [6, 4];
  function pad(values, n) { var out = (values || []).slice(0, n); while (out.length < n) out.push(null); return out; }
  function seconds(n) { var xs = []; for (var i = 1; i <= n; i++) xs.push(i); return xs; }
  function fixed(v, unit) { return v == null ? '-' : (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)) + unit; }
  function line(label, color, unit, extra) {
    var s = { label: label, stroke: color, width: 2, points: { show: false }, value: function (u, v) { return fixed(v, unit); } };
    for (var k in extra || {}) s[k] = extra[k];
    return s;
  }
  function chart(host, title, opts, data) {
    var box = document.createElement('div');
    box.className = 'chart';
    var h = document.createElement('h3');
    h.textContent = title;
    box.appendChild(h);
    host.appendChild(box);
    opts.width = W;
    opts.height = H;
    new uPlot(opts, data, box);
    drawn++;
  }
  var secondAxis = { label: 'second', incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300], values: function (u, splits) { return splits.map(function (v) { return v + 's'; }); } };
  var xSeconds = { label: 'second', value: function (u, v) { return v == null ? '-' : v + ' s'; } };
  function percentileLabel(x) {
    var p = 100 * (1 - 1 / x);
    var text = p.toFixed(p >= 99.9 ? 3 : p >= 99 ? 1 : 0);
    if (text.indexOf('.') >= 0) text = text.replace(/0+$/, '').replace(/\.$/, '');
    return 'p' + text;
  }
  // Percentile axis ticks at p0, p90, p99, p99.9, …: the decades of 1 / (1 - p).
  function decades(u) {
    var out = [], max = u.scales.x.max;
    for (var v = 1; v <= max * 1.0001; v *= 10) out.push(v);
    return out;
  }
  REPORT.scenarios.forEach(function (s, i) {
    var host = document.getElementById('charts-' + i);
    if (!host) return;
    if (s.search && s.search.length > 0) {
      chart(host, 'capacity search: p99 by offered rate (SLO dashed)', {
        scales: { x: { time: false }, y: { distr: 3, log: 10 } },
        series: [
          { label: 'rate', value: function (u, v) { return v == null ? '-' : v + ' req/s'; } },
          line('p99', C.p99, ' ms', { points: { show: true, size: 7 } }),
          line('SLO', '#57606a', ' ms', { dash: DASH, width: 1 }),
        ],
        axes: [{ label: 'req/s' }, { label: 'ms' }],
      }, [s.search.map(function (p) { return p[0]; }), s.search.map(function (p) { return p[1]; }), s.search.map(function () { return s.sloP99Ms; })]);
    }
    var ps = s.perSecond, bs = s.baselinePerSecond;
    var n = Math.max(ps.requests.length, bs ? bs.requests.length : 0);
    if (n > 0) {
      var latencySeries = [xSeconds, line('p50', C.p50, ' ms'), line('p99', C.p99, ' ms')];
      var latencyData = [seconds(n), pad(ps.latencyP50Ms, n), pad(ps.latencyP99Ms, n)];
      var rateSeries = [xSeconds, line('requests/s', C.req, ''), line('errors/s', C.err, '')];
      var rateData = [seconds(n), pad(ps.requests, n), pad(ps.failed, n)];
      if (bs) {
        if (bs.latencyP50Ms.length > 0) {
          latencySeries.push(line('baseline p50', C.p50, ' ms', { dash: DASH, width: 1 }), line('baseline p99', C.p99, ' ms', { dash: DASH, width: 1 }));
          latencyData.push(pad(bs.latencyP50Ms, n), pad(bs.latencyP99Ms, n));
        }
        rateSeries.push(line('baseline requests/s', C.req, '', { dash: DASH, width: 1 }));
        rateData.push(pad(bs.requests, n));
      }
      chart(host, 'latency per second (ms)', { scales: { x: { time: false } }, series: latencySeries, axes: [secondAxis, { label: 'ms' }] }, latencyData);
      chart(host, 'requests and errors per second', { scales: { x: { time: false } }, series: rateSeries, axes: [secondAxis, {}] }, rateData);
    }
    if (s.process) {
      chart(host, 'server RSS and CPU', {
        scales: { x: { time: false }, mb: {}, cpu: { range: [0, 110] } },
        series: [xSeconds, line('RSS', C.rss, ' MB', { scale: 'mb' }), line('CPU', C.cpu, '%', { scale: 'cpu' })],
        axes: [secondAxis, { scale: 'mb', label: 'MB' }, { scale: 'cpu', side: 1, label: '% of a core', grid: { show: false } }],
      }, [s.process.atS, s.process.rssMB, s.process.cpuPercent]);
    }
    if (s.inside) {
      chart(host, 'inside the server (its /metrics)', {
        scales: { x: { time: false }, ms: {}, n: {} },
        series: [
          xSeconds,
          line('event-loop delay p99', C.loop, ' ms', { scale: 'ms' }),
          line('DB pool wait p99', C.pool, ' ms', { scale: 'ms' }),
          line('upstream pending', C.pending, '', { scale: 'n' }),
        ],
        axes: [secondAxis, { scale: 'ms', label: 'ms' }, { scale: 'n', side: 1, label: 'calls waiting', grid: { show: false } }],
      }, [s.inside.atS, s.inside.eventLoopDelayP99Ms, s.inside.dbPoolWaitP99Ms, s.inside.upstreamPending]);
    }
    if (s.curve.length > 0) {
      var xs = s.curve.map(function (p) { return p[0]; });
      var series = [{ label: 'percentile', value: function (u, v) { return v == null ? '-' : percentileLabel(v); } }, line('latency', C.p99, ' ms')];
      var data = [xs, s.curve.map(function (p) { return p[1]; })];
      if (s.baselineCurve && s.baselineCurve.length === xs.length) {
        series.push(line('baseline', '#57606a', ' ms', { dash: DASH, width: 1 }));
        data.push(s.baselineCurve.map(function (p) { return p[1]; }));
      }
      chart(host, 'latency by percentile (ms, log scales; hover for values)', {
        scales: { x: { time: false, distr: 3, log: 10 }, y: { distr: 3, log: 10 } },
        series: series,
        axes: [{ label: 'percentile', splits: decades, values: function (u, splits) { return splits.map(percentileLabel); } }, { label: 'ms' }],
      }, data);
    }
  });
  document.body.setAttribute('data-charts', String(drawn));
})();
`;
