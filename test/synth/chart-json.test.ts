/**
 * Rendering every chart in one pass must give exactly what cdk8s `chart.toJson()` gives, chart by
 * chart and in the same order, and must defer to it when constructs depend on each other.
 */
import { App, Chart } from 'cdk8s';
import { KubeConfigMap } from 'cdk8s-plus-27/lib/imports/k8s';
import { describe, expect, it } from 'vitest';
import { buildFleet } from '../../charts/fleet.js';
import { listEnvironmentNames, loadEnvironment } from '../../src/environment/load.js';
import { chartsToJson } from '../../src/synth/chart-json.js';
import { REPO } from '../helpers/project.js';

describe('the JSON of all charts at once', () => {
  it.each(listEnvironmentNames(REPO))('equals chart.toJson() of every chart of %s, objects in the same order', (env) => {
    const loaded = loadEnvironment(env, { root: REPO });
    const { app, charts } = buildFleet(loaded.name, loaded.spec);
    const ours = chartsToJson(app, charts.map((c) => c.chart));
    const theirs = charts.map((c) => c.chart.toJson() as unknown[]);
    expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs));
  });

  it('orders objects by their dependencies as cdk8s does when a construct depends on another', () => {
    const app = new App();
    const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
    const first = new KubeConfigMap(chart, 'first', { data: { a: '1' } });
    const second = new KubeConfigMap(chart, 'second', { data: { b: '2' } });
    first.addDependency(second);
    const ours = chartsToJson(app, [chart]);
    expect(JSON.stringify(ours)).toBe(JSON.stringify([chart.toJson()]));
    expect((ours[0] as Array<{ metadata: { name: string } }>).map((o) => o.metadata.name)).toEqual(['c-second', 'c-first']);
  });

  it("runs the constructs' validations and refuses as cdk8s does", () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    const cm = new KubeConfigMap(chart, 'cm', { data: {} });
    cm.node.addValidation({ validate: () => ['it is wrong'] });
    expect(() => chartsToJson(app, [chart])).toThrow(/Validation failed with the following errors:\n {2}\[c\/cm\] it is wrong/);
  });
});
