/**
 * A registry of faults by name: what the campaign schema, the plan, the nemesis,
 * `faultline list nemeses` and the report read. The shipped faults are in ./index.ts; a campaign
 * adds its own by module path (`type: ./my-fault.js`), code by `withFaults`.
 */
import { faultOps, type AnyFault, type FaultStyle } from '../../core/fault.js';

export class FaultRegistry {
  private readonly byName: ReadonlyMap<string, AnyFault>;

  /** `faults` by their names; `modules` by the module path a campaign names them with. */
  constructor(faults: readonly AnyFault[], modules: ReadonlyMap<string, AnyFault> = new Map()) {
    const byName = new Map<string, AnyFault>();
    for (const fault of faults) {
      if (!/^[a-z0-9][a-z0-9_-]*$/i.test(fault.name)) throw new Error(`fault name ${JSON.stringify(fault.name)}: letters, digits, - and _`);
      if (byName.has(fault.name)) throw new Error(`two faults named ${fault.name}`);
      byName.set(fault.name, fault);
    }
    for (const [path, fault] of modules) byName.set(path, fault);
    this.byName = byName;
    this.faults = faults;
    this.modules = modules;
  }

  private readonly faults: readonly AnyFault[];
  private readonly modules: ReadonlyMap<string, AnyFault>;

  /** The names, in registration order. */
  get names(): string[] {
    return [...this.byName.keys()];
  }

  get(name: string): AnyFault | undefined {
    return this.byName.get(name);
  }

  /** The fault of that name; throws naming the registered ones (for code past the campaign schema). */
  require(name: string): AnyFault {
    const fault = this.byName.get(name);
    if (!fault) throw new Error(`unknown fault ${JSON.stringify(name)}; registered: ${this.names.join(', ')}`);
    return fault;
  }

  /** This registry plus `faults` (a fault of a name already taken is refused). */
  withFaults(faults: readonly AnyFault[]): FaultRegistry {
    return faults.length === 0 ? this : new FaultRegistry([...this.faults, ...faults], this.modules);
  }

  /** This registry plus faults loaded from modules, by the path a campaign names them with. */
  withModules(modules: ReadonlyMap<string, AnyFault>): FaultRegistry {
    return modules.size === 0 ? this : new FaultRegistry(this.faults, new Map([...this.modules, ...modules]));
  }

  /** How the report draws each fault's windows, by the kind the history's ops give them
   *  (`start-X` gives X; kill and pause name themselves). */
  styles(): Record<string, FaultStyle> {
    return Object.fromEntries([...this.faults, ...this.modules.values()].map((f) => [windowKind(f), f.style]));
  }

  /** One line per fault, for `faultline list nemeses`. */
  catalog(): { name: string; description: string }[] {
    return this.faults.map((f) => ({ name: f.name, description: f.description }));
  }
}

/** The kind of fault window the history's ops of `fault` make (checkers/common/faults.ts). */
function windowKind(fault: AnyFault): string {
  const { start } = faultOps(fault);
  return start.startsWith('start-') ? start.slice('start-'.length) : start;
}
