/**
 * Server-side figures for bench from the target's Prometheus /metrics: a scraper (I/O), a text
 * parser and the figures of a scenario (pure); `asyncsrv bench` adds them to each scenario when
 * the target answers /metrics.
 */
export { parsePrometheusText, selectSamples, type Sample } from './prometheus-text.js';
export {
  counterIncrease,
  gaugeMax,
  histogramIncrease,
  histogramQuantile,
  serverFigures,
  DEFAULT_METRIC_SOURCES,
  type HistogramIncrease,
  type SampleSelector,
  type ServerFigures,
  type ServerMetricSources,
} from './figures.js';
export { sampleMetrics, scrapeMetrics, type MetricsSampler, type ScrapeOptions } from './scraper.js';
