// Live capture of the verification photos (docs/security.md, verification): camera
// only, no file picker, no drag-and-drop; nothing is kept in the browser's storage.
//
// One state at a time, and `render()` derives every visible control from it, so each
// state offers exactly its next action: selfies 1-3, document front, document back
// (or "no back side"), then the review with the declaration and Send.
const root = document.getElementById("capture");
const $ = (id) => document.getElementById(id);
const text = (key, number) => {
  const node = $("messages").content.querySelector(`[data-key="${key}"]`);
  const value = node ? node.textContent.trim() : key;
  return number === undefined ? value : value.replace("#", String(number));
};

const video = $("camera-video");
const canvas = $("camera-canvas");
const takeButton = $("take-photo");
const switchButton = $("switch-camera");
const skipBack = $("skip-back");
const retake = $("retake");
const progress = $("capture-progress");
const thumbs = $("thumbs");
const cameraMessage = $("camera-message");
const sendButton = $("send");
const sendErrors = $("send-errors");
const sendStatus = $("send-status");
const declaration = $("declaration");
const declarationError = $("declaration-error");

let facing = "user";
let stream = null;
let cameraReady = false;
let expired = false;
let sending = false;
// "selfie" (up to 3), "id_front", "id_back", "review".
let mode = "selfie";
const shots = { selfie: [], id_front: null, id_back: null, noBack: false };

// Dropping a file on the page must never load or send it.
for (const type of ["dragover", "drop"]) {
  window.addEventListener(type, (event) => event.preventDefault());
}

function render() {
  const capturing = mode !== "review";
  $("step-selfie").hidden = mode !== "selfie";
  $("step-document").hidden = !(mode === "id_front" || mode === "id_back");
  $("document-side").textContent = text(mode === "id_back" ? "back-side" : "front-side");
  $("step-declaration").hidden = capturing;
  video.hidden = !capturing;
  takeButton.hidden = !capturing;
  takeButton.disabled = !capturing || !cameraReady || expired;
  switchButton.hidden = !capturing;
  switchButton.disabled = !cameraReady || expired;
  skipBack.hidden = mode !== "id_back" || expired;
  retake.hidden = thumbs.childElementCount === 0 || expired;
  sendButton.disabled = expired || sending;
  if (mode === "selfie") {
    const taken = shots.selfie.length;
    progress.textContent = taken
      ? `${text("selfie-progress", taken)} ${text("selfie-next", taken + 1)}`
      : text("selfie-next", 1);
  } else if (mode === "id_front") {
    progress.textContent = text("front-next");
  } else if (mode === "id_back") {
    progress.textContent = text("front-done");
  } else {
    progress.textContent = text("all-done");
  }
}

function showError(key) {
  cameraMessage.textContent = text(key);
  cameraMessage.hidden = false;
  cameraReady = false;
  render();
}

function stopCamera() {
  if (stream) stream.getTracks().forEach((track) => track.stop());
  stream = null;
  cameraReady = false;
}

async function startCamera() {
  stopCamera();
  render();
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    showError("no-camera");
    return;
  }
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: facing, width: { ideal: 1280 }, height: { ideal: 960 } },
      audio: false,
    });
  } catch (error) {
    const name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError") showError("denied");
    else if (name === "NotFoundError" || name === "OverconstrainedError") showError("no-camera");
    else showError("camera-error");
    return;
  }
  cameraMessage.hidden = true;
  video.srcObject = stream;
  await video.play().catch(() => {});
  cameraReady = true;
  render();
}

function snapshot() {
  return new Promise((resolve) => {
    canvas.width = video.videoWidth || 640;
    canvas.height = video.videoHeight || 480;
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    canvas.toBlob(resolve, "image/jpeg", 0.9);
  });
}

function addThumb(blob, label) {
  const item = document.createElement("li");
  const img = document.createElement("img");
  img.src = URL.createObjectURL(blob);
  img.alt = label;
  const caption = document.createElement("span");
  caption.textContent = label;
  item.append(img, caption);
  thumbs.append(item);
}

function toReview() {
  mode = "review";
  stopCamera();
  clearSendErrors();
  render();
  $("step-declaration").querySelector("h2").focus();
}

takeButton.addEventListener("click", async () => {
  if (mode === "review" || expired || !video.videoWidth) return;
  const blob = await snapshot();
  if (!blob) return;
  if (mode === "selfie") {
    shots.selfie.push(blob);
    addThumb(blob, text("selfie-label", shots.selfie.length));
    if (shots.selfie.length === 3) mode = "id_front";
  } else if (mode === "id_front") {
    shots.id_front = blob;
    addThumb(blob, text("front-side"));
    mode = "id_back";
  } else if (mode === "id_back") {
    shots.id_back = blob;
    addThumb(blob, text("back-side"));
    toReview();
    return;
  }
  render();
});

skipBack.addEventListener("click", () => {
  // Only once the front is taken: before that there is nothing to skip.
  if (mode !== "id_back") return;
  shots.noBack = true;
  toReview();
});

retake.addEventListener("click", () => {
  shots.selfie = [];
  shots.id_front = null;
  shots.id_back = null;
  shots.noBack = false;
  thumbs.replaceChildren();
  mode = "selfie";
  clearSendErrors();
  sendStatus.textContent = "";
  startCamera();
});

switchButton.addEventListener("click", () => {
  facing = facing === "user" ? "environment" : "user";
  startCamera();
});

// What a submission still lacks, in the applicant's words.
function missing() {
  const items = [];
  const selfies = shots.selfie.length;
  if (selfies < 3) items.push({ text: text("missing-selfies", 3 - selfies), target: "take-photo" });
  if (!shots.id_front) items.push({ text: text("missing-front"), target: "take-photo" });
  else if (!shots.id_back && !shots.noBack) items.push({ text: text("missing-back"), target: "skip-back" });
  if (!declaration.checked) items.push({ text: text("missing-declaration"), target: "declaration" });
  if (expired) items.push({ text: text("expired"), target: "new-challenge" });
  return items;
}

function clearSendErrors() {
  sendErrors.hidden = true;
  sendErrors.querySelector("ul").replaceChildren();
  declarationError.hidden = true;
}

function showSendErrors(items) {
  const list = sendErrors.querySelector("ul");
  list.replaceChildren();
  for (const item of items) {
    const entry = document.createElement("li");
    const link = document.createElement("a");
    link.href = `#${item.target}`;
    link.textContent = item.text;
    entry.append(link);
    list.append(entry);
  }
  declarationError.hidden = declaration.checked;
  sendErrors.hidden = false;
  sendErrors.focus();
}

declaration.addEventListener("change", () => {
  if (declaration.checked) declarationError.hidden = true;
});

$("declaration-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const items = missing();
  if (items.length) {
    showSendErrors(items);
    return;
  }
  clearSendErrors();
  const body = new FormData();
  body.append("challenge_id", root.dataset.challengeId);
  shots.selfie.forEach((blob, index) => body.append("selfie", blob, `selfie-${index + 1}.jpg`));
  body.append("id_front", shots.id_front, "id-front.jpg");
  if (shots.id_back) body.append("id_back", shots.id_back, "id-back.jpg");
  body.append("declaration", "true");
  const attestation = $("attestation-code").value.trim();
  if (attestation) body.append("attestation_code", attestation);
  sending = true;
  render();
  sendStatus.textContent = text("sending");
  try {
    const response = await fetch(root.dataset.submitUrl, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": document.querySelector('meta[name="csrf-token"]').content },
    });
    const data = await response.json().catch(() => ({}));
    if (response.ok && data.redirect) {
      window.location.assign(data.redirect);
      return;
    }
    const reason = data.error && data.error.message ? data.error.message : text("send-retry");
    sendStatus.textContent = "";
    showSendErrors([{ text: `${text("send-error")} ${reason}`, target: "send" }]);
  } catch (error) {
    sendStatus.textContent = "";
    showSendErrors([{ text: `${text("send-error")} ${text("send-retry")}`, target: "send" }]);
  }
  sending = false;
  render();
});

// Countdown of the challenge's ten minutes.
let left = parseInt(root.dataset.expiresIn, 10) || 0;
const countdown = $("countdown");
const tick = () => {
  const minutes = Math.max(0, Math.floor(left / 60));
  const seconds = Math.max(0, left % 60);
  countdown.textContent = `${minutes}:${String(seconds).padStart(2, "0")}`;
  if (left <= 0) {
    clearInterval(timer);
    expired = true;
    stopCamera();
    showError("expired");
  }
  left -= 1;
};
const timer = setInterval(tick, 1000);
tick();

render();
startCamera();
