/**
 * The JSON of each chart's objects, exactly as cdk8s `chart.toJson()` returns it, without paying
 * for the whole app once per chart.
 *
 * `chart.toJson()` first prepares the entire app (resolves dependencies between all constructs
 * and runs every construct's validations), then orders the chart's objects by its dependency
 * graph. With seven charts that is seven walks of the app: at 1,000 nodes chart.toJson took
 * 0.8 s of the 6.5 s synth (issue 7), about half of it the objects' own JSON. Without
 * dependencies between constructs and with every chart directly under the app, as nodegen builds
 * them, that graph has no edges and cdk8s keeps the construct tree's pre-order, so one validation
 * pass and each ApiObject's JSON (./api-object-json.ts) give the same objects in the same order.
 * Should anything ever add a dependency or nest a chart, this defers to `chart.toJson()`.
 */
import { ApiObject, Chart, type App } from 'cdk8s';
import { apiObjectJson } from './api-object-json.js';

/** The JSON objects of each chart, in the order given. */
export function chartsToJson(app: App, charts: readonly Chart[]): unknown[][] {
  const all = app.node.findAll();
  const ordered = all.every((c) => c.node.dependencies.length === 0 && (!(c instanceof Chart) || c.node.scope === app));
  if (!ordered) return charts.map((chart) => chart.toJson() as unknown[]);
  // What cdk8s's validate(app) does before each chart; nodegen adds no validations, but a construct might.
  const errors = all.flatMap((c) => c.node.validate().map((error) => `[${c.node.path}] ${error}`));
  if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  const toJson = apiObjectJson(app);
  return charts.map((chart) =>
    chart.node
      .findAll()
      // isApiObject, not instanceof: a project's nodegen.config.mjs may build objects with its own copy of cdk8s.
      .filter((c): c is ApiObject => ApiObject.isApiObject(c) && Chart.of(c) === chart)
      .map(toJson),
  );
}
