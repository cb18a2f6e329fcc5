#!/usr/bin/env python3
"""Draws Closer's app icon (an indigo rounded square with a white, open ring: the
"C" of Closer closing on a dot) as RGBA PNGs into icons/. Pure Python, no deps.
Run from the repo root: python3 scripts/make-icons.py"""
import math, os, struct, zlib

def png(path, size, pixel):
    raw = bytearray()
    for y in range(size):
        raw.append(0)
        for x in range(size):
            raw.extend(pixel(x + 0.5, y + 0.5, size))
    def chunk(tag, data):
        c = struct.pack(">I", len(data)) + tag + data
        return c + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
    data += chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)

def clamp(v):
    return max(0.0, min(1.0, v))

def pixel(x, y, s):
    u, v = x / s, y / s
    # rounded square mask
    r = 0.22
    dx, dy = max(abs(u - 0.5) - (0.5 - r), 0), max(abs(v - 0.5) - (0.5 - r), 0)
    d = math.hypot(dx, dy) - r
    a = clamp(0.5 - d * s)
    # background gradient indigo -> violet
    t = (u + v) / 2
    bg = (int(79 + (124 - 79) * t), int(70 + (58 - 70) * t), int(229 + (237 - 229) * t))
    # open ring: radius 0.27, width 0.085, gap on the right side
    cx, cy = u - 0.5, v - 0.5
    rr = math.hypot(cx, cy)
    ang = math.degrees(math.atan2(cy, cx))
    ring = clamp(0.5 - (abs(rr - 0.27) - 0.0425) * s)
    if -38 < ang < 38:
        ring = 0.0
    dot = clamp(0.5 - (math.hypot(cx - 0.19, cy) - 0.06) * s)
    w = max(ring, dot)
    col = tuple(int(c * (1 - w) + 255 * w) for c in bg)
    return bytes((*col, int(255 * a)))

os.makedirs("icons", exist_ok=True)
for name, size in [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)]:
    png(os.path.join("icons", name), size, pixel)
print("icons written")
