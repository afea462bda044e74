// The sandboxed preload (built to dist/app/preload.cjs, CommonJS, as a sandboxed preload must be).
import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_NAME } from '../main/contract.js';
import { createBridge } from './bridge.js';

contextBridge.exposeInMainWorld(BRIDGE_NAME, createBridge(ipcRenderer));
