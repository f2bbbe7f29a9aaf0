// Building page elements: properties, attributes and children in one call. Strings become
// text nodes, never markup. `el("li", { className: "x", "data-run": "3" }, "T1 ", name)`:
// a name the element has as a property (className, onclick, htmlFor…) is set as one; any
// other (data-*, aria-*, tabindex) is set as an attribute.

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name.includes("-") || !(name in node)) node.setAttribute(name, value);
    else node[name] = value;
  }
  node.append(...children.filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}
