package io.scalesmall.node.admin;

/**
 * A request the admin endpoint refuses, with the HTTP status to answer and a message for the client that
 * names the offending field or path. Thrown by request parsing and routing; never escapes the server.
 */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The HTTP status: 400, 404, 405 or 413. */
    private final int status;
    /** For a 405: the methods the path accepts (the {@code Allow} header), else null. */
    private final String allow;

    ApiException(int status, String message) {
        this(status, message, null);
    }

    private ApiException(int status, String message, String allow) {
        super(message, null, false, false);
        this.status = status;
        this.allow = allow;
    }

    /** A 400: the message names the field and the value that was refused. */
    static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    /** A 405 for {@code method} on {@code path}, which accepts only {@code allow}. */
    static ApiException methodNotAllowed(String method, String path, String allow) {
        return new ApiException(405, "method " + method + " is not allowed on " + path + " (allowed: " + allow + ")",
                allow);
    }

    int status() {
        return status;
    }

    /** @return the {@code Allow} header value of a 405, or null */
    String allow() {
        return allow;
    }
}
