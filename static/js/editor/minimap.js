// The minimap (cytoscape-navigator), bottom-right: hidden while the flow is empty, its
// picture redrawn as soon as the flow is drawn; a click or a drag in it moves the view.

export function installMinimap(ed) {
  const box = document.getElementById("minimap");
  const nav = ed.cy.navigator({ container: "#minimap", viewLiveFramerate: 0, thumbnailEventFramerate: 10, rerenderDelay: 100 });
  const update = () => {
    box.hidden = ed.cy.nodes().empty();
  };
  ed.cy.on("add remove", update);
  update();
  // A click anywhere in the picture centres the view there (the navigator itself only drags
  // its view box).
  box.addEventListener("click", (event) => {
    if (!nav.boundingBox || !nav.thumbnailZoom) return;
    const rect = box.getBoundingClientRect();
    const x = (event.clientX - rect.left - nav.thumbnailPan.x) / nav.thumbnailZoom;
    const y = (event.clientY - rect.top - nav.thumbnailPan.y) / nav.thumbnailZoom;
    const zoom = ed.cy.zoom();
    ed.cy.pan({ x: ed.cy.width() / 2 - x * zoom, y: ed.cy.height() / 2 - y * zoom });
  });
  ed.minimap = nav;
}
