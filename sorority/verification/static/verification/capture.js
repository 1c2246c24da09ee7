// Live capture of the verification photos (SECURITY.md 2-4): camera only, no file
// picker, no drag-and-drop; nothing is kept in the browser's storage.
const root = document.getElementById("capture");
const $ = (id) => document.getElementById(id);
const text = (key) => {
  const node = document.querySelector(`#messages`).content.querySelector(`[data-key="${key}"]`);
  return node ? node.textContent.trim() : key;
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

let facing = "user";
let stream = null;
let mode = "selfie";
const shots = { selfie: [], id_front: null, id_back: null };

// Dropping a file on the page must never load or send it.
for (const type of ["dragover", "drop"]) {
  window.addEventListener(type, (event) => event.preventDefault());
}

function showError(key) {
  cameraMessage.textContent = text(key);
  cameraMessage.hidden = false;
  takeButton.disabled = true;
}

async function startCamera() {
  if (stream) {
    stream.getTracks().forEach((track) => track.stop());
    stream = null;
  }
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
  takeButton.disabled = mode === "done";
  switchButton.disabled = false;
}

function snapshot() {
  return new Promise((resolve) => {
    canvas.width = video.videoWidth || 640;
    canvas.height = video.videoHeight || 480;
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    canvas.toBlob(resolve, "image/jpeg", 0.9);
  });
}

function addThumb(blob) {
  const item = document.createElement("li");
  const img = document.createElement("img");
  img.src = URL.createObjectURL(blob);
  img.alt = text("photo-alt");
  item.append(img);
  thumbs.append(item);
}

function finish() {
  mode = "done";
  takeButton.disabled = true;
  skipBack.hidden = true;
  $("step-declaration").hidden = false;
  progress.textContent = text("all-done");
  if (stream) stream.getTracks().forEach((track) => track.stop());
}

takeButton.addEventListener("click", async () => {
  if (mode === "done" || !video.videoWidth) return;
  const blob = await snapshot();
  if (!blob) return;
  addThumb(blob);
  retake.hidden = false;
  if (mode === "selfie") {
    shots.selfie.push(blob);
    progress.textContent = text("selfie-progress").replace("#", shots.selfie.length);
    if (shots.selfie.length === 3) {
      mode = "id_front";
      $("step-document").hidden = false;
      $("step-selfie").hidden = true;
    }
  } else if (mode === "id_front") {
    shots.id_front = blob;
    mode = "id_back";
    $("document-side").textContent = text("back-side");
    skipBack.hidden = false;
    progress.textContent = text("front-done");
  } else if (mode === "id_back") {
    shots.id_back = blob;
    finish();
  }
});

skipBack.addEventListener("click", finish);

retake.addEventListener("click", () => {
  shots.selfie = [];
  shots.id_front = null;
  shots.id_back = null;
  thumbs.replaceChildren();
  mode = "selfie";
  $("step-selfie").hidden = false;
  $("step-document").hidden = true;
  $("step-declaration").hidden = true;
  skipBack.hidden = true;
  retake.hidden = true;
  progress.textContent = "";
  startCamera();
});

switchButton.addEventListener("click", () => {
  facing = facing === "user" ? "environment" : "user";
  startCamera();
});

$("declaration-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const status = $("send-status");
  if (shots.selfie.length !== 3 || !shots.id_front) return;
  const body = new FormData();
  body.append("challenge_id", root.dataset.challengeId);
  shots.selfie.forEach((blob, index) => body.append("selfie", blob, `selfie-${index + 1}.jpg`));
  body.append("id_front", shots.id_front, "id-front.jpg");
  if (shots.id_back) body.append("id_back", shots.id_back, "id-back.jpg");
  body.append("declaration", $("declaration").checked ? "true" : "false");
  const attestation = $("attestation-code").value.trim();
  if (attestation) body.append("attestation_code", attestation);
  $("send").disabled = true;
  status.textContent = text("sending");
  try {
    const response = await fetch(root.dataset.submitUrl, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": document.querySelector('meta[name="csrf-token"]').content },
    });
    const data = await response.json();
    if (response.ok) {
      window.location.assign(data.redirect);
      return;
    }
    status.textContent = `${text("send-error")} ${data.error ? data.error.message : response.status}`;
  } catch (error) {
    status.textContent = text("send-error");
  }
  $("send").disabled = false;
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
    showError("expired");
    $("send").disabled = true;
  }
  left -= 1;
};
const timer = setInterval(tick, 1000);
tick();

startCamera();
