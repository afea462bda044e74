// The popover page's entry (built to dist/renderer/main.js). Everything it knows arrives through
// the preload's bridge; it has no other way out.
import { render } from 'preact';
import { BRIDGE_NAME, type SpeedrunBridge } from '../main/contract.js';
import { App } from './components/App.js';

const bridge = (window as unknown as Partial<Record<string, SpeedrunBridge>>)[BRIDGE_NAME];
const root = document.getElementById('app');
if (root) {
  if (bridge) render(<App bridge={bridge} now={() => Date.now()} />, root);
  else root.textContent = 'This page is the Ollama Speedrun popover; open it from the menu-bar icon.';
}
