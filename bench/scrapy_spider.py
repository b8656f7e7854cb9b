#!/usr/bin/env python3
"""scrapy_spider.py - the Scrapy peer of bench/crawl.sh.

A minimal CrawlSpider over a gensite.py site: starts from SEEDS (one URL a
line), follows every link to the seeds' hosts (a LinkExtractor rule allowing
only those hosts, and allowed_domains), obeys robots.txt, no delay, CONCURRENT_REQUESTS and
CONCURRENT_REQUESTS_PER_DOMAIN from the command line. Each page is parsed
(title and links); nothing is stored: pages are only counted.

    python3 bench/scrapy_spider.py SEEDS CONCURRENCY PER_HOST [COUNT_FILE]

Writes "pages N" to COUNT_FILE (or stdout) at the end.
"""

import sys
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule


def main():
    if len(sys.argv) not in (4, 5):
        sys.stderr.write(__doc__.split("\n\n")[2] + "\n")
        return 2
    seeds_file, conc, per_host = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    count_file = sys.argv[4] if len(sys.argv) == 5 else None
    with open(seeds_file) as f:
        seeds = [line.strip() for line in f if line.strip()]
    hosts = sorted({urlsplit(u).hostname for u in seeds})
    # LinkExtractor's allow_domains compares the netloc (host:port), the
    # offsite middleware's allowed_domains the bare host name.
    netlocs = sorted({urlsplit(u).netloc for u in seeds})

    class BenchSpider(CrawlSpider):
        name = "bench"
        allowed_domains = hosts
        start_urls = seeds
        rules = (Rule(LinkExtractor(allow_domains=netlocs), callback="parse_page", follow=True),)
        pages = 0
        titled = 0

        def parse_page(self, response):
            BenchSpider.pages += 1
            if response.css("title::text").get():
                BenchSpider.titled += 1
            return ()

        def start_requests(self):
            # filtered like every other request, so that a seed also reached
            # by a link is not fetched twice
            for url in self.start_urls:
                yield Request(url, dont_filter=False)

        def parse_start_url(self, response):
            return self.parse_page(response)

    process = CrawlerProcess(settings={
        "ROBOTSTXT_OBEY": True,
        "DOWNLOAD_DELAY": 0,
        "RANDOMIZE_DOWNLOAD_DELAY": False,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": conc,
        "CONCURRENT_REQUESTS_PER_DOMAIN": per_host,
        "CONCURRENT_REQUESTS_PER_IP": 0,
        "DEPTH_LIMIT": 0,
        "RETRY_ENABLED": False,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "USER_AGENT": "bench-scrapy",
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    })
    process.crawl(BenchSpider)
    process.start()

    out = "pages %d\ntitled %d\n" % (BenchSpider.pages, BenchSpider.titled)
    if count_file:
        with open(count_file, "w") as f:
            f.write(out)
    else:
        sys.stdout.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
