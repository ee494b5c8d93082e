import { arch, cpus, freemem, release, totalmem, type } from 'node:os';
import type { MachineMemory } from '../../shared/protocol';

export interface MachineInfo {
  cpuModel: string;
  /** Logical cores (hardware threads), what ONNX Runtime's thread pool defaults to. */
  cores: number;
  memory: MachineMemory;
  os: string;
  node: string;
}

/**
 * Memory the engine can count on. os.freemem() is MemAvailable on Linux (page cache that can be dropped
 * counts as free). Inside a container with a memory limit (cgroup) the limit caps both numbers; what the
 * container's other processes use is not known here, so free memory is an upper bound there.
 */
export function machineMemory(): MachineMemory {
  const constrained = process.constrainedMemory?.() ?? 0;
  const totalBytes = constrained > 0 ? Math.min(constrained, totalmem()) : totalmem();
  return { totalBytes, freeBytes: Math.min(freemem(), totalBytes) };
}

export function machineInfo(): MachineInfo {
  const processors = cpus();
  return {
    cpuModel: processors[0]?.model.trim() || 'unknown CPU',
    cores: processors.length,
    memory: machineMemory(),
    os: `${type()} ${release()} ${arch()}`,
    node: process.version,
  };
}
