// 加载状态：加载中 / 出错（写明原因，带「重新加载」）/ 空 / 断网。页面出错时不再显示成空列表。
Component({
  properties: {
    // loading | error | empty | offline
    status: { type: String, value: '' },
    message: { type: String, value: '' },
    emptyText: { type: String, value: '暂无内容' },
  },
  methods: {
    retry() {
      this.triggerEvent('retry');
    },
  },
});
