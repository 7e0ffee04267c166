package io.pocketproxy.bench;

/**
 * What one transfer moved through its tunnel, as both ends counted it. The relay meters bytes where they enter
 * and leave the device stream, both directions, so its count lies between what reached an end ({@link #lower})
 * and what an end sent ({@link #upper}); for a completed transfer the two are equal.
 */
record Moved(long clientSent, long clientReceived, long targetSent, long targetReceived) {

    static final Moved NOTHING = new Moved(0, 0, 0, 0);

    long lower() {
        return clientReceived + targetReceived;
    }

    long upper() {
        return clientSent + targetSent;
    }

    /** Both ends agree: every byte sent arrived. */
    boolean whole() {
        return clientSent == targetReceived && clientReceived == targetSent;
    }
}
