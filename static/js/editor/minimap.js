// The minimap (cytoscape-navigator), bottom-right: hidden while the flow is empty, drawn once
// the canvas has painted its first frame (its picture is a second drawing of the whole flow,
// so it waits for an idle moment rather than delaying the first one); a click or a drag in it
// moves the view.

export function installMinimap(ed) {
  const box = document.getElementById("minimap");
  let ready = false; // the canvas has painted and the page has had an idle moment
  // The navigator measures its box once, when it starts: it starts only while the box is
  // shown (a hidden box measures 0 × 0 and its picture would stay blank for good), and
  // starts afresh when the flow is emptied and filled again.
  const start = () => {
    if (ed.minimap || !ready || box.hidden) return;
    ed.minimap = ed.cy.navigator({ container: "#minimap", viewLiveFramerate: 0, thumbnailEventFramerate: 10, removeCustomContainer: false });
    // Its picture is taken after a frame of the canvas: ask for one, or a still view would
    // leave it blank until the person does something.
    ed.cy.forceRender();
  };
  const update = () => {
    box.hidden = ed.cy.nodes().empty();
    if (box.hidden && ed.minimap) {
      ed.minimap.destroy();
      ed.minimap = null;
    } else start();
  };
  ed.cy.on("add remove", update);
  update();
  ed.cy.one("render", () => {
    const go = () => {
      ready = true;
      start();
    };
    if (window.requestIdleCallback) window.requestIdleCallback(go, { timeout: 1500 });
    else setTimeout(go, 200);
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
