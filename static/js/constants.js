// What the page scripts and the server must agree on, read from the page: the server writes
// it from its own constants (designer/page_constants.py), so no script keeps a copy.

const data = JSON.parse(document.getElementById("vivido-constants").textContent);

// A task key: a letter or digit, then up to 31 of letters, digits, "_", "." and "-".
export const KEY_PATTERN = new RegExp(data.key_pattern);
export const TIME_UNITS = data.time_units.map((unit) => unit.name);
export const UNIT_ABBREVIATIONS = Object.fromEntries(data.time_units.map((unit) => [unit.name, unit.abbreviation]));
export const BLUEPRINTS = data.blueprints.map((blueprint) => blueprint.name);
// "Sequential", "Hybrid", "Parallel".
export const BLUEPRINT_NAMES = Object.fromEntries(data.blueprints.map((blueprint) => [blueprint.name, blueprint.label]));
// "fail fast", "continue with compensation", "retry and proceed".
export const FAILURE_POLICIES = Object.fromEntries(data.failure_policies.map((policy) => [policy.name, policy.label]));
// The built-in executors ("simulated", "manual") and the deployer's registered actions.
export const EXECUTORS = data.executors;

export function capitalised(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}
