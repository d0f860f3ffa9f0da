import { z } from 'zod';
import { verifyPlatformAlarms } from '../../domain/facts/verify.js';

/** A task definition as Capstan keeps it: the members it reads typed, every other one carried through. */
const containerSchema = z.looseObject({ name: z.string().optional(), image: z.string().optional() });
const taskDefinitionSchema = z.looseObject({
  family: z.string().optional(),
  containerDefinitions: z.array(containerSchema).readonly().optional(),
  taskDefinitionArn: z.string().optional(),
  revision: z.number().optional(),
});
const documentSchema = z.object({
  taskDefinition: taskDefinitionSchema,
  tags: z.array(z.object({ key: z.string(), value: z.string() })),
});

/** What check() read, handed to prepare(). */
export const contextSchema = z.object({
  version: z.string(),
  currentArn: z.string(),
  current: documentSchema,
  image: z.object({ repositoryUri: z.string(), digest: z.string() }),
  /** The group's own alarm rollback (alarmConfiguration), shown with the change. */
  platformAlarms: verifyPlatformAlarms.optional(),
});
export type Context = z.infer<typeof contextSchema>;

/** What apply() registers and deploys, exactly as reviewed (kept in the ledger). */
export const planSchema = z.object({
  version: z.string(),
  next: documentSchema,
  baseTaskDefinitionArn: z.string(),
  image: z.string(),
});
export type Plan = z.infer<typeof planSchema>;
