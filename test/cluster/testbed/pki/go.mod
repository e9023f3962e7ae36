// The certificates and keys of the cluster suite's throwaway control plane, made at each start
// (test/cluster). Standard library only. Built by test/cluster/testbed/build.mjs.
module nodegen.test/testbed/pki

go 1.25.0
