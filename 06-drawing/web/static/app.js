// The drawing page: it sends every point the user draws to the Go client over
// a WebSocket, and draws every point that comes back, the mirror image, in
// another colour. The Go client (the bridge) carries them over one gRPC bidi
// stream to the server and back.
//
// The user may draw only while that stream is open: the bridge says so with a
// "ready" message. Until then, and whenever the connection is lost, the canvas
// is greyed out and ignores the pointer, so that no stroke is drawn that could
// not be mirrored; the page reconnects by itself.
"use strict";

const canvas = document.getElementById("canvas");
const notice = document.getElementById("notice");
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
const drawing = { connected: false, strokes: 0, sent: [], mirrored: [], errors: [], disconnects: 0 };
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

// --- The status line --------------------------------------------------------

const CONNECTED = "connected — draw on the canvas";

// setStatus shows one short line; kind is "", "error" or "offline". The full
// text, which an error may need, is in the line's tooltip.
function setStatus(text, kind) {
  statusLine.textContent = text;
  statusLine.title = text;
  statusLine.className = kind || "";
}

// An error shown while the stream lives on (a malformed message) stays until
// a stroke begun after it is mirrored, or the canvas is cleared. errorStroke
// is the number of strokes started when it was shown; -1 when none is.
let errorStroke = -1;

function clearError() {
  errorStroke = -1;
  if (drawing.connected) setStatus(CONNECTED);
}

// showDisconnected puts on the status line why the connection was lost: a
// short line for the person at the canvas when the network is to blame (the
// bridge's own words are in the console), the status as it is when the
// server ended the stream with one (or a task is not done yet: Unimplemented).
function showDisconnected(error) {
  if (!error || error.code === "Canceled") {
    setStatus("Disconnected from the bridge — reconnecting…", "offline");
  } else if (error.code === "Unavailable") {
    setStatus("The drawing server is unavailable — reconnecting…", "offline");
  } else {
    setStatus(error.code + ": " + error.message, "error");
  }
}

// --- The WebSocket to the Go client -------------------------------------------

const RETRY_FIRST = 1000; // ms before the first reconnect; doubled after each failure
const RETRY_MAX = 8000;

let socket = null;
let sendCanvas = true; // the next point carries the canvas (first, or mode changed)
let retryDelay = RETRY_FIRST; // reset once a stream has mirrored a point

// setConnected lets the user draw, or not, and shows which.
function setConnected(connected, why) {
  drawing.connected = connected;
  canvas.classList.toggle("offline", !connected);
  notice.hidden = connected;
  if (!connected) {
    notice.textContent = why;
    endStroke(); // a stroke cut off here is not continued later
  }
}

function connect() {
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
  const ws = new WebSocket(url);
  socket = ws;
  window.drawingSocket = ws;
  let lastError = null; // the error the bridge reported on this socket, if any
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.ready) {
      sendCanvas = true; // a new socket is a new stream: it needs the canvas first
      errorStroke = -1;
      setConnected(true);
      setStatus(CONNECTED);
    } else if (message.point) {
      const p = message.point;
      // protobuf's JSON leaves out fields that are zero.
      const x = p.x || 0, y = p.y || 0, stroke = p.stroke || 0;
      drawing.mirrored.push({ stroke, x, y, reflection: p.reflection });
      retryDelay = RETRY_FIRST; // this stream works: after a loss, try again soon
      drawPoint("mirror/" + stroke + "/" + p.reflection, COLOURS.mirror, x, y);
      if (errorStroke >= 0 && stroke > errorStroke) clearError(); // mirrored fine again
    } else if (message.error) {
      const e = message.error;
      drawing.errors.push(e);
      lastError = e;
      console.warn("bridge: " + e.code + ": " + e.message);
      if (drawing.connected) {
        errorStroke = strokes;
        setStatus(e.code + ": " + e.message, "error");
      }
    }
  };
  ws.onclose = () => {
    if (ws !== socket) return;
    if (drawing.connected) drawing.disconnects++;
    errorStroke = -1;
    setConnected(false, "Disconnected — reconnecting…");
    showDisconnected(lastError);
    setTimeout(connect, retryDelay);
    retryDelay = Math.min(2 * retryDelay, RETRY_MAX);
  };
}

function send(point) {
  const message = { stroke: point.stroke, x: point.x, y: point.y };
  if (sendCanvas) {
    message.canvas = { width: WIDTH, height: HEIGHT, kaleidoscope: kaleidoscope.checked };
    sendCanvas = false;
  }
  drawing.sent.push(point);
  socket.send(JSON.stringify(message));
}

// --- Pointer events: mouse, touch and pen alike ------------------------------

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

// endStroke ends the stroke being drawn, if any.
function endStroke() {
  stroke = 0;
}

canvas.addEventListener("pointerdown", (event) => {
  if (event.button !== 0 || !drawing.connected) return;
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
    endStroke();
  });
}

document.getElementById("clear").addEventListener("click", () => {
  ctx.clearRect(0, 0, WIDTH, HEIGHT);
  lastPoints = new Map();
  drawing.sent = [];
  drawing.mirrored = [];
  clearError();
});

kaleidoscope.addEventListener("change", () => {
  canvas.classList.toggle("kaleidoscope", kaleidoscope.checked);
  sendCanvas = true; // tell the server on the next point
});

setConnected(false, "Connecting…");
connect();
