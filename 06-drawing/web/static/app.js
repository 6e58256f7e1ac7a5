// The drawing page: it sends every point the user draws to the Go client over
// a WebSocket, and draws every point that comes back, the mirror image, in
// another colour. The Go client (the bridge) carries them over one gRPC bidi
// stream to the server and back.
"use strict";

const canvas = document.getElementById("canvas");
const statusLine = document.getElementById("status");
const kaleidoscope = document.getElementById("kaleidoscope");
const ctx = canvas.getContext("2d");

// The canvas is always 800 × 500 canvas pixels, whatever its size on screen;
// points are sent in canvas pixels, rounded to whole ones.
const WIDTH = canvas.width;
const HEIGHT = canvas.height;
const COLOURS = { you: "#1f4e9c", mirror: "#d1495b" };

// Everything the page sent and received, for the tests and for you: type
// `drawing` in the browser's console.
const drawing = { connected: false, strokes: 0, sent: [], mirrored: [], errors: [] };
window.drawing = drawing;

// Sharp lines on high-resolution screens: a backing store of more device
// pixels, scaled so that drawing code keeps using canvas pixels.
const scale = window.devicePixelRatio || 1;
canvas.width = WIDTH * scale;
canvas.height = HEIGHT * scale;
ctx.scale(scale, scale);
ctx.lineWidth = 3;
ctx.lineCap = "round";
ctx.lineJoin = "round";

// The last point of every line on the canvas, by key: a new point is joined
// to it. Our own strokes and each reflection of them are separate lines.
let lastPoints = new Map();

function drawPoint(key, colour, x, y) {
  const last = lastPoints.get(key) || { x, y };
  ctx.strokeStyle = colour;
  ctx.beginPath();
  ctx.moveTo(last.x, last.y);
  ctx.lineTo(x, y);
  ctx.stroke();
  lastPoints.set(key, { x, y });
}

// --- The WebSocket to the Go client -------------------------------------

let socket = null;
let queue = [];          // points drawn while the socket was (re)connecting
let sendCanvas = true;   // the next point carries the canvas (first, or mode changed)
let lastError = "";

function setStatus(text, isError) {
  statusLine.textContent = text;
  statusLine.classList.toggle("error", Boolean(isError));
}

function connect() {
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
  const ws = new WebSocket(url);
  socket = ws;
  window.drawingSocket = ws;
  setStatus("connecting…");
  ws.onopen = () => {
    drawing.connected = true;
    sendCanvas = true; // a new socket is a new stream: it needs the canvas first
    setStatus("connected — draw on the canvas");
    const pending = queue;
    queue = [];
    pending.forEach(send);
  };
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.point) {
      const p = message.point;
      // protobuf's JSON leaves out fields that are zero.
      const x = p.x || 0, y = p.y || 0, stroke = p.stroke || 0;
      drawing.mirrored.push({ stroke, x, y, reflection: p.reflection });
      drawPoint("mirror/" + stroke + "/" + p.reflection, COLOURS.mirror, x, y);
    } else if (message.error) {
      lastError = message.error.code + ": " + message.error.message;
      drawing.errors.push(message.error);
      setStatus("error — " + lastError, true);
    }
  };
  ws.onclose = () => {
    if (ws !== socket) return; // an old socket, already replaced by a new one
    drawing.connected = false;
    setStatus("disconnected" + (lastError ? " — last error: " + lastError : "") +
      " — draw to reconnect", true);
  };
}

function send(point) {
  if (!socket || socket.readyState === WebSocket.CLOSED || socket.readyState === WebSocket.CLOSING) {
    connect();
  }
  if (socket.readyState !== WebSocket.OPEN) {
    queue.push(point);
    return;
  }
  const message = { stroke: point.stroke, x: point.x, y: point.y };
  if (sendCanvas) {
    message.canvas = { width: WIDTH, height: HEIGHT, kaleidoscope: kaleidoscope.checked };
    sendCanvas = false;
  }
  drawing.sent.push(point);
  socket.send(JSON.stringify(message));
}

// --- Pointer events: mouse, touch and pen alike --------------------------

let stroke = 0;       // the id of the stroke being drawn; 0 when none
let strokes = 0;      // how many strokes were started

function canvasPoint(event) {
  const rect = canvas.getBoundingClientRect();
  const clamp = (v, max) => Math.min(max, Math.max(0, Math.round(v)));
  return {
    stroke,
    x: clamp((event.clientX - rect.left) * WIDTH / rect.width, WIDTH),
    y: clamp((event.clientY - rect.top) * HEIGHT / rect.height, HEIGHT),
  };
}

function addPoint(event) {
  const point = canvasPoint(event);
  drawPoint("you/" + point.stroke, COLOURS.you, point.x, point.y);
  send(point);
}

canvas.addEventListener("pointerdown", (event) => {
  if (event.button !== 0) return;
  // Keep receiving this pointer's moves even when it leaves the canvas;
  // canvasPoint clamps them to the edge.
  canvas.setPointerCapture(event.pointerId);
  stroke = ++strokes;
  addPoint(event);
});
canvas.addEventListener("pointermove", (event) => {
  if (stroke !== 0) addPoint(event);
});
for (const type of ["pointerup", "pointercancel"]) {
  canvas.addEventListener(type, () => {
    if (stroke !== 0) drawing.strokes++; // finished strokes: every point sent
    stroke = 0;
  });
}

document.getElementById("clear").addEventListener("click", () => {
  ctx.clearRect(0, 0, WIDTH, HEIGHT);
  lastPoints = new Map();
  drawing.sent = [];
  drawing.mirrored = [];
});

kaleidoscope.addEventListener("change", () => {
  canvas.classList.toggle("kaleidoscope", kaleidoscope.checked);
  sendCanvas = true; // tell the server on the next point
});

connect();
