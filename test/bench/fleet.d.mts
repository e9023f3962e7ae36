/** Types of fleet.mjs, for the TypeScript tests that generate fleets. */
export function fleetName(count: number): string;
export function fleetYaml(count: number, baseNodes?: readonly string[]): string;
