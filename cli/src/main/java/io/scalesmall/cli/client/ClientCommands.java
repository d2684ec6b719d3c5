package io.scalesmall.cli.client;

import java.util.List;
import picocli.CommandLine;

/**
 * The client subcommands, which talk to a running node's admin endpoint ({@code --node}, default
 * {@value ClientCommand#DEFAULT_NODE}): {@code groups}, {@code members}, {@code topology}, {@code join},
 * {@code leave}, {@code add-item}, {@code remove-item}.
 */
public final class ClientCommands {
    /** The subcommand classes, in the order help lists them. */
    public static final List<Class<?>> ALL = List.of(GroupsCommand.class, MembersCommand.class,
            TopologyCommand.class, JoinCommand.class, LeaveCommand.class, AddItemCommand.class,
            RemoveItemCommand.class);

    private ClientCommands() {
    }

    /** Adds every client subcommand to {@code cl}; returns it. */
    public static CommandLine register(CommandLine cl) {
        for (Class<?> c : ALL) {
            cl.addSubcommand(c);
        }
        return cl;
    }
}
