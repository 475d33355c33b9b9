FROM busybox-base
RUN echo alternate > /which
