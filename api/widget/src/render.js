// Safe rendering of bot text: every piece of text goes into the DOM with
// textContent / createTextNode, never innerHTML. Only http(s) URLs become links and
// **double stars** become <strong>; anything else (including "<img onerror=...>")
// stays literal text.

const URL_RE = /(https?:\/\/[^\s<>"'()]+[^\s<>"'().,;:!?])/g;

export function appendRichText(doc, parent, text) {
  const bolds = String(text).split(/\*\*/);
  bolds.forEach((segment, i) => {
    const target = i % 2 === 1 && i < bolds.length - 1 ? doc.createElement("strong") : parent;
    if (target !== parent) parent.appendChild(target);
    appendLinks(doc, target, i % 2 === 1 && i === bolds.length - 1 ? "**" + segment : segment);
  });
}

function appendLinks(doc, parent, text) {
  const parts = text.split(URL_RE);
  parts.forEach((part, i) => {
    if (!part) return;
    if (i % 2 === 1) {
      const a = doc.createElement("a");
      a.href = part;
      a.textContent = part;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      parent.appendChild(a);
    } else {
      parent.appendChild(doc.createTextNode(part));
    }
  });
}
