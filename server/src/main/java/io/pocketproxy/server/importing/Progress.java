package io.pocketproxy.server.importing;

/** Where a long phase of an import says how far it is: a progress bar on a terminal, periodic lines elsewhere. */
public interface Progress {

    Progress NONE = new Progress() {
        @Override
        public void start(String phase, int total) {}

        @Override
        public void advance(int done) {}

        @Override
        public void finish() {}
    };

    void start(String phase, int total);

    /** {@code done} of the phase's total are finished; called from one thread at a time. */
    void advance(int done);

    void finish();
}
