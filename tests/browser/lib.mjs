// Shared by the browser tests: Debian's Chromium through playwright-core,
// started as the machine's notes say (no sandbox as root, no background
// networking: this machine's network is closed).
import { chromium } from "playwright-core";

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--autoplay-policy=no-user-gesture-required",
    ],
  });
}

export function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exitCode = 1;
}

export function check(cond, message) {
  if (!cond) fail(message);
  else console.log(`ok: ${message}`);
}
