FROM cachedimage-local/busybox:1
RUN echo "compiling the thing" && echo "error: the thing is broken" >&2 && exit 3
