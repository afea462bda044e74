// Starting the `--demo` fleet: one double per simulated server, each on its own loopback port.
import { DEMO_FLEET } from './demo-fleet.js';
import { startOllamaDouble, type OllamaDouble } from './ollama-double.js';

export interface DemoServer {
  label: string;
  url: string;
  double: OllamaDouble;
}

export interface DemoServers {
  servers: DemoServer[];
  close(): Promise<void>;
}

export async function startDemoServers(fleet = DEMO_FLEET): Promise<DemoServers> {
  const servers: DemoServer[] = [];
  const close = async () => {
    await Promise.all(servers.map((server) => server.double.close()));
  };
  try {
    for (const { label, models } of fleet) {
      const double = await startOllamaDouble({ models });
      servers.push({ label, url: double.url, double });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { servers, close };
}
