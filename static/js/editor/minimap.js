// The minimap (cytoscape-navigator), bottom-right: hidden while the flow is empty, drawn once
// the canvas has painted its first frame (its picture is a second drawing of the whole flow,
// so it waits for an idle moment rather than delaying the first one); a click or a drag in it
// moves the view.

export function installMinimap(ed) {
  const box = document.getElementById("minimap");
  const update = () => {
    box.hidden = ed.cy.nodes().empty();
  };
  ed.cy.on("add remove", update);
  update();
  const start = () => {
    if (ed.minimap) return;
    ed.minimap = ed.cy.navigator({ container: "#minimap", viewLiveFramerate: 0, thumbnailEventFramerate: 10 });
  };
  ed.cy.one("render", () => {
    if (window.requestIdleCallback) window.requestIdleCallback(start, { timeout: 1500 });
    else setTimeout(start, 200);
  });
  // A click anywhere in the picture centres the view there (the navigator itself only drags
  // its view box).
  box.addEventListener("click", (event) => {
    const nav = ed.minimap;
    if (!nav?.boundingBox || !nav.thumbnailZoom) return;
    const rect = box.getBoundingClientRect();
    const x = (event.clientX - rect.left - nav.thumbnailPan.x) / nav.thumbnailZoom;
    const y = (event.clientY - rect.top - nav.thumbnailPan.y) / nav.thumbnailZoom;
    const zoom = ed.cy.zoom();
    ed.cy.pan({ x: ed.cy.width() / 2 - x * zoom, y: ed.cy.height() / 2 - y * zoom });
  });
}
