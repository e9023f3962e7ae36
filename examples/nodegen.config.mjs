// nodegen.config.mjs, at the root of your repository: your own objects beside the fleet.
// `extend` runs once per environment, for synth, diff, plan and validate; what it adds is
// validated like everything nodegen writes.

/** @type {import('nodegen-k8s').NodegenConfig} */
export default {
  extend({ env, spec, nodes, addChart, cdk8s }) {
    // Another chart: dist/<env>/50-team.yaml, in the environment's namespace.
    const chart = addChart('50-team.yaml');
    new cdk8s.ApiObject(chart, 'endpoints', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'chain-endpoints' },
      // Where the apps find each node's RPC: the Service nodegen writes for it.
      data: Object.fromEntries(Object.keys(nodes).map((name) => [name, `${name}.${spec.namespace}.svc`])),
    });
    // A change to nodegen's own objects: an annotation on every node's pods.
    for (const node of Object.values(nodes)) {
      node.statefulSet?.addJsonPatch(cdk8s.JsonPatch.add('/spec/template/metadata/annotations/team.example.com~1environment', env));
    }
  },
};

