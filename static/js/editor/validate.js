// The flow's rules, checked on the whole document before an edit is kept: the same rules
// and the same words as the server (designer/analysis/validation.py), so a refusal can be
// shown at once and the edit snapped back. The server still checks everything it is sent.

const ORDERING = new Set(["hard", "soft"]);

function byKey(a, b) {
  return a.localeCompare(b, "en", { numeric: true });
}

// Kahn's order with ties by key; on a cycle, one cycle as a list of keys in edge order.
function orderOrCycle(keys, successors) {
  const indegree = new Map(keys.map((k) => [k, 0]));
  for (const [, after] of successors) for (const k of after) indegree.set(k, indegree.get(k) + 1);
  const ready = keys.filter((k) => indegree.get(k) === 0).sort(byKey);
  const order = [];
  while (ready.length) {
    const key = ready.shift();
    order.push(key);
    for (const next of successors.get(key)) {
      indegree.set(next, indegree.get(next) - 1);
      if (indegree.get(next) === 0) {
        ready.push(next);
        ready.sort(byKey);
      }
    }
  }
  if (order.length === keys.length) return { order };
  // As the server does: each leftover task's first leftover predecessor (tasks in document
  // order), walked back from the first leftover task until one repeats.
  const left = new Set(keys.filter((k) => indegree.get(k) > 0));
  const predecessors = new Map();
  for (const from of keys) {
    if (!left.has(from)) continue;
    for (const to of successors.get(from)) if (left.has(to) && !predecessors.has(to)) predecessors.set(to, from);
  }
  const seen = [];
  let at = keys.find((k) => left.has(k));
  while (!seen.includes(at)) {
    seen.push(at);
    at = predecessors.get(at);
  }
  const cycle = seen.slice(seen.indexOf(at)).reverse();
  const index = new Map(keys.map((k, i) => [k, i]));
  const first = cycle.reduce((a, b) => (index.get(b) < index.get(a) ? b : a));
  const start = cycle.indexOf(first);
  return { cycle: [...cycle.slice(start), ...cycle.slice(0, start)] };
}

// The first rule the document breaks, as `{message, keys}`, or null.
export function problemOf(document) {
  const keys = document.tasks.map((t) => t.key);
  const seenKeys = new Set();
  for (const key of keys) {
    if (seenKeys.has(key)) return { message: `duplicate task key: ${key}`, keys: [key] };
    seenKeys.add(key);
  }
  const phaseIndex = new Map(document.phases.map((p, i) => [p.name, i]));
  const tasks = new Map(document.tasks.map((t) => [t.key, t]));
  for (const task of document.tasks) {
    const d = task.duration;
    if (!(d.optimistic <= d.likely && d.likely <= d.pessimistic)) {
      return {
        message: `task ${task.key}: durations must keep optimistic ≤ likely ≤ pessimistic (got ${d.optimistic}, ${d.likely}, ${d.pessimistic})`,
        keys: [task.key],
      };
    }
  }
  const successors = new Map(keys.map((k) => [k, []]));
  const predecessors = new Map(keys.map((k) => [k, []]));
  const pairs = new Set();
  for (const dep of document.dependencies) {
    if (dep.from === dep.to) return { message: `task ${dep.from} cannot depend on itself`, keys: [dep.from] };
    const pair = `${dep.from}→${dep.to}`;
    if (pairs.has(pair)) return { message: `duplicate dependency ${dep.from} → ${dep.to}`, keys: [dep.from, dep.to] };
    pairs.add(pair);
    if (!ORDERING.has(dep.strength)) continue;
    const source = tasks.get(dep.from);
    const target = tasks.get(dep.to);
    if (source.phase && target.phase && phaseIndex.get(source.phase) > phaseIndex.get(target.phase)) {
      return {
        message: `dependency ${dep.from} → ${dep.to} points from phase '${source.phase}' back to the earlier phase '${target.phase}'`,
        keys: [dep.from, dep.to],
      };
    }
    successors.get(dep.from).push(dep.to);
    predecessors.get(dep.to).push(dep.from);
  }
  const { order, cycle } = orderOrCycle(keys, successors);
  if (cycle) return { message: `dependency cycle: ${[...cycle, cycle[0]].join(" → ")}`, keys: cycle };
  if (!document.tasks.some((t) => t.phase)) return null;
  // A task without a phase follows its predecessors into the latest of theirs.
  const placed = new Map();
  for (const key of order) {
    const phase = tasks.get(key).phase;
    placed.set(key, phase ? phaseIndex.get(phase) : Math.max(0, ...predecessors.get(key).map((p) => placed.get(p))));
  }
  const names = document.phases.map((p) => p.name);
  for (const key of order) {
    for (const next of successors.get(key)) {
      if (placed.get(key) > placed.get(next)) {
        return {
          message: `dependency ${key} → ${next} points from phase '${names[placed.get(key)]}' back to the earlier phase '${names[placed.get(next)]}' (${key} has no phase and follows its predecessors into '${names[placed.get(key)]}')`,
          keys: [key, next],
        };
      }
    }
  }
  return null;
}

// Every problem a flow document read from a file has, one line each (the import reports them
// all at once rather than the first): shape, keys, estimates, dependencies, then one cycle.
export function problemsOf(document) {
  const problems = [];
  if (!document || typeof document !== "object" || Array.isArray(document)) return ["the file does not hold a flow document (a JSON object)"];
  if (document.format !== "vivido.flow/1") problems.push(`format must be "vivido.flow/1" (got ${JSON.stringify(document.format ?? null)})`);
  if (typeof document.name !== "string" || !document.name.trim()) problems.push("the flow needs a name");
  const tasks = Array.isArray(document.tasks) ? document.tasks : [];
  if (!Array.isArray(document.tasks)) problems.push("tasks must be a list");
  const seen = new Set();
  tasks.forEach((task, i) => {
    const key = task?.key;
    if (typeof key !== "string" || !key) problems.push(`tasks[${i}] has no key`);
    else if (seen.has(key)) problems.push(`duplicate task key: ${key}`);
    else seen.add(key);
    const d = task?.duration ?? {};
    const likely = Number(d.likely);
    const o = d.optimistic ?? likely;
    const p = d.pessimistic ?? likely;
    if (!Number.isFinite(likely)) problems.push(`task ${key ?? i}: duration.likely must be a number`);
    else if ([o, likely, p].some((v) => v < 0)) problems.push(`task ${key}: a duration cannot be negative`);
    else if (!(o <= likely && likely <= p)) problems.push(`task ${key}: durations must keep optimistic ≤ likely ≤ pessimistic (got ${o}, ${likely}, ${p})`);
  });
  const dependencies = Array.isArray(document.dependencies) ? document.dependencies : [];
  const pairs = new Set();
  let sound = true;
  dependencies.forEach((dep) => {
    for (const end of [dep?.from, dep?.to]) {
      if (!seen.has(end)) {
        problems.push(`dependency ${dep?.from} → ${dep?.to} names unknown task ${end}`);
        sound = false;
      }
    }
    if (dep?.from === dep?.to) problems.push(`task ${dep?.from} cannot depend on itself`);
    const pair = `${dep?.from}→${dep?.to}`;
    if (pairs.has(pair)) problems.push(`duplicate dependency ${dep?.from} → ${dep?.to}`);
    pairs.add(pair);
  });
  if (sound && !problems.length) {
    const normal = {
      phases: Array.isArray(document.phases) ? document.phases : [],
      tasks: tasks.map((t) => ({ ...t, duration: { optimistic: t.duration.optimistic ?? t.duration.likely, likely: t.duration.likely, pessimistic: t.duration.pessimistic ?? t.duration.likely } })),
      dependencies: dependencies.map((d) => ({ ...d, strength: d.strength ?? "hard" })),
    };
    const problem = problemOf(normal);
    if (problem) problems.push(problem.message);
  }
  return problems;
}
