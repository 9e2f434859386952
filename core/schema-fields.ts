/** Field names read from a zod schema itself, for messages that list the valid ones. */
import type { z } from 'zod';

/** A path into a value: object keys and list indexes. */
export type SchemaPath = readonly (string | number)[];

/** The field names of the object schema at `path`, read from the schema itself. */
export function fieldsAt(schema: z.ZodType, path: SchemaPath): string[] {
  let node: z.core.$ZodType | undefined = schema;
  for (const seg of path) {
    node = objectOrArray(node);
    if (!node) return [];
    const def = node._zod.def as z.core.$ZodTypeDef & { shape?: Record<string, z.core.$ZodType>; element?: z.core.$ZodType };
    node = typeof seg === 'number' ? def.element : def.shape && Object.hasOwn(def.shape, seg) ? def.shape[seg] : undefined;
  }
  const object = objectOrArray(node);
  const shape = (object?._zod.def as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}

/** Looks through defaults, optionals, pipes and unions to the object or array schema inside. */
function objectOrArray(node: z.core.$ZodType | undefined): z.core.$ZodType | undefined {
  for (let depth = 0; node && depth < 20; depth++) {
    const def = node._zod.def as z.core.$ZodTypeDef & { innerType?: z.core.$ZodType; in?: z.core.$ZodType; options?: z.core.$ZodType[] };
    switch (def.type) {
      case 'object':
      case 'array':
        return node;
      case 'default':
      case 'optional':
      case 'nullable':
        node = def.innerType;
        break;
      case 'pipe':
        node = def.in;
        break;
      case 'union':
        node = def.options?.find((o) => objectOrArray(o) !== undefined);
        break;
      default:
        return undefined;
    }
  }
  return undefined;
}

