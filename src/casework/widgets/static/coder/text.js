// Offsets are Unicode code points, as in Python; the DOM counts UTF-16 units, so
// boundaries are converted per paragraph (cheaply when it has no astral characters).

const SURROGATE = /[\uD800-\uDFFF]/;

export function countPoints(text) {
  if (!SURROGATE.test(text)) return text.length;
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

// Code points in text[0:units] (UTF-16 units).
export function unitsToPoints(text, units) {
  if (!SURROGATE.test(text)) return units;
  let points = 0;
  for (let i = 0; i < units; i += 1) {
    const c = text.charCodeAt(i);
    const low = c >= 0xdc00 && c <= 0xdfff;
    if (!(low && i > 0 && (text.charCodeAt(i - 1) & 0xfc00) === 0xd800)) points += 1;
  }
  return points;
}

// UTF-16 units covering the first `points` code points of text.
export function pointsToUnits(text, points) {
  if (!SURROGATE.test(text)) return points;
  let units = 0;
  for (let p = 0; p < points && units < text.length; p += 1) {
    const c = text.charCodeAt(units);
    units += c >= 0xd800 && c <= 0xdbff && units + 1 < text.length ? 2 : 1;
  }
  return units;
}
