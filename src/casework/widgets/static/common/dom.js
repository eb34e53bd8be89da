// DOM helpers shared by the widgets. Every string passed here is inserted with
// textContent or as a DOM property, never parsed as HTML: project text is untrusted.

const COLOR_RE = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

export function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

export function button(label, title, onClick, cls = "cw-btn") {
  const node = el("button", cls, label);
  node.type = "button";
  if (title) node.title = title;
  node.addEventListener("click", (event) => {
    event.preventDefault();
    onClick(event);
  });
  return node;
}

// A colour from the project, or grey when it is not a plain #rgb / #rrggbb.
export function safeColor(value, fallback = "#888888") {
  return COLOR_RE.test(value || "") ? value : fallback;
}

export function select(cls, title, onChange) {
  const node = el("select", cls);
  node.title = title;
  node.addEventListener("change", () => onChange(node.value));
  return node;
}

// Replace a <select>'s options by [value, label] pairs and select ``value``.
export function options(node, items, value) {
  node.textContent = "";
  for (const [v, label] of items) {
    const option = el("option", null, label);
    option.value = v;
    node.appendChild(option);
  }
  if (value !== undefined) node.value = value;
}
