import type { Command } from 'commander';
import type { CommandModule } from './command-module.js';

/** What {@link defineCommandGroup} needs: the group's name and description, and its subcommands. */
export interface CommandGroupDefinition {
  readonly name: string;
  readonly description: string;
  /** Commands made with `defineCommand`, registered under the group (`vqrae <group> <command>`). */
  readonly commands: readonly CommandModule[];
}

/** A command group such as `vqrae shards ls|check`: one CLI word whose subcommands are ordinary defined commands. */
export function defineCommandGroup(definition: CommandGroupDefinition): CommandModule {
  return {
    name: definition.name,
    register(program: Command): void {
      const group = program.command(definition.name).description(definition.description);
      for (const command of definition.commands) command.register(group);
    },
  };
}
