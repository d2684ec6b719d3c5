package io.scalesmall.cli.client;

/**
 * The node could not be reached, did not answer in time, or answered with an HTTP error. The message is the
 * single line the CLI prints (without the {@code scalesmall: } prefix) and names the node's URL.
 */
final class NodeException extends Exception {
    private static final long serialVersionUID = 1L;

    NodeException(String message) {
        super(message, null, false, false);
    }
}
