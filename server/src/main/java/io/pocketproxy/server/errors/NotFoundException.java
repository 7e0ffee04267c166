package io.pocketproxy.server.errors;

/** No such row for this caller: also the answer for another operator's rows, whose existence stays hidden. */
public final class NotFoundException extends DomainException {

    /** {@code what}: the kind of thing looked for, as the message names it ("device", "connection"). */
    public NotFoundException(String what) {
        super("not_found", what + " not found");
    }
}
