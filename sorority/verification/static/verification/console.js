// The moderator console: zoomable images and a keyboard-first decision form.
// No dependency, no inline code (CSP: loaded as a module with the page's nonce).
// Every drag has a button (WCAG 2.5.7); shortcuts never fire while typing.

const MAX_SCALE = 8;
const PAN_STEP = 0.15; // of the frame, per arrow key or button press

class Viewer {
  constructor(section) {
    this.section = section;
    this.frame = section.querySelector(".viewer-frame");
    this.images = [...section.querySelectorAll("img[data-doc]")];
    this.picks = [...section.querySelectorAll("[data-show]")];
    this.level = section.querySelector("[data-zoom-level]");
    this.state = new Map(); // per image: {s, x, y, fitted}
    this.pointers = new Map();
    this.current = this.images[0];
    for (const img of this.images) {
      img.addEventListener("load", () => this.fit(img));
      if (img.complete && img.naturalWidth) this.fit(img);
    }
    for (const pick of this.picks) {
      pick.addEventListener("click", () => this.show(pick.dataset.show));
    }
    section.querySelectorAll("[data-zoom]").forEach((button) =>
      button.addEventListener("click", () => this.zoomCommand(button.dataset.zoom)));
    section.querySelectorAll("[data-pan]").forEach((button) =>
      button.addEventListener("click", () => this.panCommand(button.dataset.pan)));
    this.frame.addEventListener("wheel", (event) => this.onWheel(event), { passive: false });
    this.frame.addEventListener("pointerdown", (event) => this.onDown(event));
    this.frame.addEventListener("pointermove", (event) => this.onMove(event));
    for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) {
      this.frame.addEventListener(type, (event) => this.onUp(event));
    }
    this.frame.addEventListener("dblclick", (event) => {
      const st = this.get();
      if (st && st.s < 1) this.zoomAt(1 / st.s, ...this.local(event));
      else this.fit();
    });
    const refit = () => this.images.forEach((img) => {
      if (this.state.get(img)?.fitted) this.fit(img);
    });
    if ("ResizeObserver" in window) new ResizeObserver(refit).observe(this.frame);
    else window.addEventListener("resize", refit);
  }

  get(img = this.current) {
    return this.state.get(img);
  }

  show(name) {
    const next = this.images.find((img) => img.dataset.doc === name);
    if (!next) return;
    for (const img of this.images) img.hidden = img !== next;
    for (const pick of this.picks) pick.setAttribute("aria-pressed", String(pick.dataset.show === name));
    this.current = next;
    if (!this.get()) this.fit(next);
    this.report();
  }

  cycle() {
    const index = this.images.indexOf(this.current);
    this.show(this.images[(index + 1) % this.images.length].dataset.doc);
  }

  fitScale(img) {
    const w = this.frame.clientWidth, h = this.frame.clientHeight;
    if (!img.naturalWidth || !w || !h) return 1;
    return Math.min(w / img.naturalWidth, h / img.naturalHeight, 1);
  }

  fit(img = this.current) {
    if (!img || !img.naturalWidth) return;
    const s = this.fitScale(img);
    const x = (this.frame.clientWidth - img.naturalWidth * s) / 2;
    const y = (this.frame.clientHeight - img.naturalHeight * s) / 2;
    this.state.set(img, { s, x, y, fitted: true });
    this.apply(img);
  }

  apply(img = this.current) {
    const st = this.state.get(img);
    if (!st) return;
    img.style.transform = `translate(${st.x}px, ${st.y}px) scale(${st.s})`;
    if (img === this.current) this.report();
  }

  report() {
    const st = this.get();
    if (this.level && st) this.level.textContent = `${Math.round(st.s * 100)} %`;
  }

  clamp(st, img) {
    // Keep at least a third of the frame covered by the image.
    const w = this.frame.clientWidth, h = this.frame.clientHeight;
    const iw = img.naturalWidth * st.s, ih = img.naturalHeight * st.s;
    const mx = Math.min(w, iw) / 3, my = Math.min(h, ih) / 3;
    st.x = Math.min(w - mx, Math.max(mx - iw, st.x));
    st.y = Math.min(h - my, Math.max(my - ih, st.y));
  }

  zoomAt(factor, cx, cy) {
    const img = this.current, st = this.get();
    if (!st) return;
    const min = Math.min(this.fitScale(img), 1) / 2;
    const s = Math.min(MAX_SCALE, Math.max(min, st.s * factor));
    st.x = cx - (cx - st.x) * (s / st.s);
    st.y = cy - (cy - st.y) * (s / st.s);
    st.s = s;
    st.fitted = false;
    this.clamp(st, img);
    this.apply();
  }

  centre() {
    return [this.frame.clientWidth / 2, this.frame.clientHeight / 2];
  }

  zoomCommand(kind) {
    const st = this.get();
    if (!st) return;
    if (kind === "in") this.zoomAt(1.25, ...this.centre());
    else if (kind === "out") this.zoomAt(0.8, ...this.centre());
    else if (kind === "actual") this.zoomAt(1 / st.s, ...this.centre());
    else this.fit();
  }

  panBy(dx, dy) {
    const st = this.get();
    if (!st) return;
    st.x += dx;
    st.y += dy;
    st.fitted = false;
    this.clamp(st, this.current);
    this.apply();
  }

  panCommand(direction) {
    const w = this.frame.clientWidth * PAN_STEP, h = this.frame.clientHeight * PAN_STEP;
    // "Move left" shows what is further left: the image moves right.
    const moves = { left: [w, 0], right: [-w, 0], up: [0, h], down: [0, -h] };
    this.panBy(...(moves[direction] || [0, 0]));
  }

  local(event) {
    const box = this.frame.getBoundingClientRect();
    return [event.clientX - box.left, event.clientY - box.top];
  }

  onWheel(event) {
    event.preventDefault();
    this.zoomAt(Math.exp(-event.deltaY * 0.0015), ...this.local(event));
  }

  onDown(event) {
    if (event.button !== undefined && event.button !== 0) return;
    this.frame.setPointerCapture(event.pointerId);
    this.pointers.set(event.pointerId, this.local(event));
    this.frame.classList.add("dragging");
  }

  onMove(event) {
    if (!this.pointers.has(event.pointerId)) return;
    const before = [...this.pointers.values()];
    this.pointers.set(event.pointerId, this.local(event));
    const after = [...this.pointers.values()];
    if (after.length === 1) {
      this.panBy(after[0][0] - before[0][0], after[0][1] - before[0][1]);
    } else if (after.length === 2) {
      const dist = (p) => Math.hypot(p[0][0] - p[1][0], p[0][1] - p[1][1]) || 1;
      const mid = (p) => [(p[0][0] + p[1][0]) / 2, (p[0][1] + p[1][1]) / 2];
      const [ax, ay] = mid(before), [bx, by] = mid(after);
      this.panBy(bx - ax, by - ay);
      this.zoomAt(dist(after) / dist(before), bx, by);
    }
  }

  onUp(event) {
    this.pointers.delete(event.pointerId);
    if (!this.pointers.size) this.frame.classList.remove("dragging");
  }
}

function typing(el) {
  if (!el) return false;
  if (el.isContentEditable || el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
  return el.tagName === "INPUT" && !["checkbox", "radio", "button", "submit", "reset"].includes(el.type);
}

function csrfToken() {
  return document.querySelector("meta[name=csrf-token]")?.content || "";
}

function announce(text) {
  const live = document.getElementById("console-live");
  if (!live) return;
  live.textContent = "";
  window.setTimeout(() => { live.textContent = text; }, 50);
}

function reviewPage(root) {
  const form = document.getElementById("decision-form");
  const title = document.getElementById("console-title");
  const reasons = document.getElementById("reasons");
  const decide = document.getElementById("decide");
  const summary = document.getElementById("form-errors");
  const bar = root.querySelector(".challenge-bar");
  const exit = document.getElementById("quick-exit");
  if (bar && exit && "ResizeObserver" in window) {
    // The challenge sticks under the quick-exit strip; on wide screens the images under both.
    new ResizeObserver(() => {
      root.style.setProperty("--exit-h", `${exit.offsetHeight}px`);
      root.style.setProperty("--bar-h", `${bar.offsetHeight}px`);
    }).observe(bar);
  }
  const viewers = [...root.querySelectorAll("[data-viewer]")].map((section) => new Viewer(section));
  let active = viewers[0];
  let busy = false;
  const setActive = (viewer) => {
    active = viewer;
    viewers.forEach((v) => v.section.classList.toggle("active", v === viewer));
  };
  viewers.forEach((viewer) => {
    viewer.section.addEventListener("pointerdown", () => setActive(viewer));
    viewer.section.addEventListener("focusin", () => setActive(viewer));
  });
  if (active) setActive(active);

  const checks = [...form.querySelectorAll("[data-check]")];
  const texts = [...form.querySelectorAll(".transcription input[type=text]")];
  const decisionRadios = [...form.querySelectorAll("[data-decision]")];
  const reasonRadios = [...form.querySelectorAll("[data-reason]")];
  const chosen = () => decisionRadios.find((r) => r.checked)?.value || "";
  const needsReason = () => ["resubmit", "refuse"].includes(chosen());
  const syncReasons = () => { reasons.hidden = !needsReason() && !reasons.classList.contains("has-error"); };
  decisionRadios.forEach((r) => r.addEventListener("change", syncReasons));
  syncReasons();
  const ready = () => chosen() && (!needsReason() || reasonRadios.some((r) => r.checked));

  function choose(value) {
    const radio = decisionRadios.find((r) => r.value === value);
    radio.checked = true;
    syncReasons();
    if (needsReason()) {
      (reasonRadios.find((r) => r.checked) || reasonRadios[0]).focus();
      announce(root.dataset.chooseReason || "");
    } else {
      decide.focus();
    }
  }

  function cancel() {
    decisionRadios.concat(reasonRadios).forEach((r) => { r.checked = false; });
    syncReasons();
    title.focus();
  }

  function moveCheck(step) {
    const index = checks.indexOf(document.activeElement);
    const next = index === -1 ? (step > 0 ? 0 : checks.length - 1) : (index + step + checks.length) % checks.length;
    checks[next].focus();
  }

  function showErrors(error) {
    form.querySelectorAll("[data-error-for]").forEach((p) => { p.hidden = true; p.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    form.querySelectorAll(".has-error").forEach((el) => el.classList.remove("has-error"));
    summary.textContent = "";
    const head = document.createElement("p");
    head.textContent = error.message || "";
    summary.append(head);
    const list = document.createElement("ul");
    for (const [name, items] of Object.entries(error.fields || {})) {
      const slot = form.querySelector(`[data-error-for="${name}"]`);
      const input = form.querySelector(`[name="${name}"]`);
      if (slot) { slot.textContent = items.join(" "); slot.hidden = false; slot.parentElement.classList.add("has-error"); }
      if (input) input.setAttribute("aria-invalid", "true");
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = `#${input ? input.id : "decision-form"}`;
      const label = input && form.querySelector(`label[for="${input.id}"]`);
      link.textContent = `${label ? label.textContent.trim() + " : " : ""}${items.join(" ")}`;
      link.addEventListener("click", (event) => { event.preventDefault(); input?.focus(); });
      item.append(link);
      list.append(item);
    }
    if (list.children.length) summary.append(list);
    summary.hidden = false;
    syncReasons();
    summary.focus();
  }

  async function submit() {
    if (busy) return;
    if (!ready()) {
      showErrors({ message: root.dataset.notReady || "", fields: {} });
      return;
    }
    busy = true;
    decide.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
        credentials: "same-origin",
      });
      const data = await response.json().catch(() => null);
      if (response.ok && data && data.next) {
        announce(root.dataset.saved || "");
        window.location.assign(data.next);
        return;
      }
      showErrors((data && data.error) || { message: root.dataset.failed || "", fields: {} });
    } catch {
      showErrors({ message: root.dataset.failed || "", fields: {} });
    }
    busy = false;
    decide.disabled = false;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    const el = document.activeElement;
    if (typing(el)) {
      if (event.key === "Escape") { event.preventDefault(); el.blur(); title.focus(); }
      else if (event.key === "Enter" && texts.includes(el)) {
        event.preventDefault();
        if (ready()) { submit(); return; }
        const next = texts[texts.indexOf(el) + 1];
        if (next) next.focus(); else { title.focus(); announce(root.dataset.notReady || ""); }
      }
      return;
    }
    const key = event.key;
    const onControl = el && (el.tagName === "BUTTON" || el.tagName === "A" || el.tagName === "SUMMARY");
    const onRadio = el && el.type === "radio";
    const handled = () => event.preventDefault();
    if (key === "j") { handled(); moveCheck(1); }
    else if (key === "k") { handled(); moveCheck(-1); }
    else if (key === "t") { handled(); texts[0].focus(); }
    else if (key === "a") { handled(); choose("approve"); }
    else if (key === "r") { handled(); choose("resubmit"); }
    else if (key === "x") { handled(); choose("refuse"); }
    else if (/^[1-9]$/.test(key) && needsReason()) {
      const radio = reasonRadios.find((r) => r.dataset.reason === key);
      if (radio) { handled(); radio.checked = true; decide.focus(); }
    }
    else if (key === "Enter" && !onControl) { handled(); submit(); }
    else if (key === "Escape") { handled(); cancel(); }
    else if (key === "q") { handled(); const box = document.getElementById("id_then_queue"); box.checked = !box.checked; }
    else if (key === "v" && viewers.length > 1) { handled(); setActive(viewers[(viewers.indexOf(active) + 1) % viewers.length]); active.frame.focus(); }
    else if (key === "s" && viewers[0]) { handled(); setActive(viewers[0]); viewers[0].cycle(); }
    else if (key === "d" && viewers[1]) { handled(); setActive(viewers[1]); viewers[1].cycle(); }
    else if ((key === "+" || key === "=") && active) { handled(); active.zoomCommand("in"); }
    else if (key === "-" && active) { handled(); active.zoomCommand("out"); }
    else if (key === "0" && active) { handled(); active.zoomCommand("fit"); }
    else if (key.startsWith("Arrow") && active && !onRadio) {
      handled();
      active.panCommand(key.slice(5).toLowerCase());
    }
  });

  // The outcome of the previous decision, said once the page is ready.
  const flash = [...document.querySelectorAll(".messages .message")].map((p) => p.textContent.trim()).join(" ");
  if (!summary.hidden) summary.focus();
  else title.focus({ preventScroll: true });
  if (flash) announce(flash);
}

function queuePage(form) {
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(document.activeElement)) return;
    if (event.key === "n") {
      event.preventDefault();
      form.requestSubmit();
    }
  });
}

const root = document.getElementById("console");
if (root) reviewPage(root);
const next = document.getElementById("claim-next");
if (next) queuePage(next);
