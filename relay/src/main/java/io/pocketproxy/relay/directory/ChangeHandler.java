package io.pocketproxy.relay.directory;

/** What the data plane does with the control plane's change notices ({@link ConnectionDirectory#subscribe}). */
public interface ChangeHandler {

    /** A change announced by the control plane. */
    void apply(Change change);

    /**
     * Notices may have been lost: the directory was not listening for a while (its connection to the database
     * broke and is back). Everything held from the directory must be read again.
     */
    void resync();
}
