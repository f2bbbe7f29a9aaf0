// Phase boxes never overlap. After a person moves tasks (a drop, a new task, a change of
// phase), the phases the moved tasks are in stay where they were put and the other phases
// make room: each is pushed along the flow's direction (right, or down when the flow runs top
// to bottom), away from the fixed ones, keeping the order in which they stood.

const GAP = 24;

function meets(a, b) {
  return a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
}

function shifted(box, axis, by) {
  return axis === "x" ? { ...box, x1: box.x1 + by, x2: box.x2 + by } : { ...box, y1: box.y1 + by, y2: box.y2 + by };
}

export function overlapping(cy) {
  const boxes = cy.nodes(".phase").map((p) => p.boundingBox());
  return boxes.some((a, i) => boxes.slice(i + 1).some((b) => meets(a, b)));
}

// New positions (node id → {x, y}) that leave no two phase boxes overlapping, the phases in
// `fixed` (ids) unmoved; {} when nothing has to move. With nothing fixed, the first phase
// along the flow stays.
export function separation(cy, fixed, axis) {
  const phases = cy.nodes(".phase").map((p) => ({ node: p, box: p.boundingBox() }));
  if (phases.length < 2 || !overlapping(cy)) return {};
  const low = axis === "x" ? "x1" : "y1";
  const high = axis === "x" ? "x2" : "y2";
  const centre = (box) => (box[low] + box[high]) / 2;
  const anchors = phases.filter((p) => fixed.has(p.node.id()));
  if (!anchors.length) anchors.push(phases.reduce((a, b) => (centre(b.box) < centre(a.box) ? b : a)));
  const placed = anchors.map((p) => p.box);
  const middle = (Math.min(...placed.map((b) => b[low])) + Math.max(...placed.map((b) => b[high]))) / 2;
  const others = phases.filter((p) => !anchors.includes(p));
  const after = others.filter((p) => centre(p.box) >= middle).sort((a, b) => centre(a.box) - centre(b.box));
  const before = others.filter((p) => centre(p.box) < middle).sort((a, b) => centre(b.box) - centre(a.box));
  const moves = new Map();
  const push = (phase, direction) => {
    let box = phase.box;
    let by = 0;
    for (let guard = 0; guard <= placed.length; guard += 1) {
      const hit = placed.filter((b) => meets(box, b));
      if (!hit.length) break;
      const step =
        direction > 0
          ? Math.max(...hit.map((b) => b[high] + GAP - box[low]))
          : Math.min(...hit.map((b) => b[low] - GAP - box[high]));
      by += step;
      box = shifted(box, axis, step);
    }
    placed.push(box);
    if (by) moves.set(phase.node, by);
  };
  for (const phase of after) push(phase, 1);
  for (const phase of before) push(phase, -1);
  const positions = {};
  for (const [node, by] of moves) {
    const members = node.children().nonempty() ? node.children() : node;
    members.forEach((member) => {
      const at = member.position();
      positions[member.id()] = axis === "x" ? { x: at.x + by, y: at.y } : { x: at.x, y: at.y + by };
    });
  }
  return positions;
}
